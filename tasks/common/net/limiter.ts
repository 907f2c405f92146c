// The one concurrency limiter of the library, in the three shapes its callers need: a slot count
// (each caller keeps its own result and failure), a queue fed over time and a map over a list.
// The last two share one failure rule: after the first failure no new work starts, and the
// failure is thrown once the running work has settled.

/** At most `limit` pieces of work at once; the others wait their turn, first come first served. */
export class ConcurrencyLimit {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error(`Concurrency limit must be >= 1, got ${limit}`);
  }

  /** Runs `work` once a slot is free (at once when one is); its result or failure is the caller's. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await work();
    } finally {
      // The slot passes straight to the next in line, so a newcomer cannot take it in between.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

/**
 * Runs tasks pushed over time, at most `limit` at once, so work can start while more is still
 * being discovered (value fetches while the next list page loads). After the first failure no new
 * task starts; idle() rejects with that failure once the running tasks have settled.
 */
export class WorkQueue {
  private readonly slots: ConcurrencyLimit;
  private outstanding = 0;
  private failure: { error: unknown } | undefined;
  private waiters: (() => void)[] = [];

  constructor(limit: number) {
    this.slots = new ConcurrencyLimit(limit);
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  push(task: () => Promise<void>): void {
    if (this.failure) return;
    this.outstanding++;
    void this.slots
      .run(async () => {
        if (this.failure) return;
        try {
          await task();
        } catch (error) {
          // Recorded before the slot passes on, so the next task in line does not start.
          this.abort(error);
        }
      })
      .finally(() => {
        this.outstanding--;
        this.settle();
      });
  }

  /** Stops starting tasks (as after a failure of one). */
  abort(error: unknown): void {
    this.failure ??= { error };
  }

  /** Resolves when nothing runs or waits; rejects with the first failure. */
  async idle(): Promise<void> {
    if (this.outstanding > 0) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure.error;
  }

  private settle(): void {
    if (this.outstanding > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
  }
}

/**
 * Runs `fn` over `items` with at most `limit` at once. After the first failure no new item
 * starts; the failure is thrown once the running ones have settled.
 */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  const workers = Math.max(1, Math.min(limit, items.length));
  await Promise.all(Array.from({ length: workers }, worker));
  if (failure) throw failure.error;
  return results;
}
