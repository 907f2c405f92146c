export interface CopyProgress {
  readonly bytesDone: number;
  readonly bytesTotal: number;
}

/** Accumulates byte deltas and reports at most once per interval (never per chunk). */
export class ProgressReporter {
  private done = 0;
  private total = 0;
  private lastReport = 0;

  constructor(
    private readonly report: ((p: CopyProgress) => void) | undefined,
    private readonly intervalMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.lastReport = now();
  }

  get bytesDone(): number {
    return this.done;
  }

  addTotal(bytes: number): void {
    this.total += bytes;
  }

  add(delta: number): void {
    this.done += delta;
    const now = this.now();
    if (this.report && now - this.lastReport >= this.intervalMs) {
      this.lastReport = now;
      this.report({ bytesDone: this.done, bytesTotal: this.total });
    }
  }

  /** A last report when anything was to move. */
  finish(): void {
    if (this.report && this.total > 0) this.report({ bytesDone: this.done, bytesTotal: this.total });
  }
}
