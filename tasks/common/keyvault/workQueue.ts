/**
 * Runs tasks pushed over time, at most `limit` at once, so work can start while more is still
 * being discovered (value fetches while the next list page loads). After the first failure no new
 * task starts; idle() rejects with that failure once the running tasks have settled.
 */
export class WorkQueue {
  private running = 0;
  private readonly pending: (() => Promise<void>)[] = [];
  private failure: { error: unknown } | undefined;
  private waiters: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`WorkQueue limit must be >= 1, got ${limit}`);
  }

  get failed(): boolean {
    return this.failure !== undefined;
  }

  push(task: () => Promise<void>): void {
    if (this.failure) return;
    this.pending.push(task);
    this.pump();
  }

  /** Stops starting tasks (as after a failure of one). */
  abort(error: unknown): void {
    this.failure ??= { error };
    this.pending.length = 0;
    this.settle();
  }

  /** Resolves when nothing runs or waits; rejects with the first failure. */
  async idle(): Promise<void> {
    if (this.running > 0 || this.pending.length > 0) {
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
    if (this.failure) throw this.failure.error;
  }

  private pump(): void {
    while (!this.failure && this.running < this.limit && this.pending.length > 0) {
      const task = this.pending.shift() as () => Promise<void>;
      this.running++;
      void task()
        .catch((error: unknown) => this.abort(error))
        .finally(() => {
          this.running--;
          this.pump();
          this.settle();
        });
    }
  }

  private settle(): void {
    if (this.running > 0 || this.pending.length > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((resolve) => resolve());
  }
}
