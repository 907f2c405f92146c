/** What one registry has been asked so far in this run. */
export interface RegistryCounters {
  /** HTTP requests to the registry API (each retry and redirect counts). */
  requests: number;
  /** Requests to the registry's token service. */
  tokenRequests: number;
  bytesUploaded: number;
  bytesDownloaded: number;
}

/** Request and byte counters per registry, for the task's report and for benchmarks. */
export class RequestStats {
  readonly byRegistry = new Map<string, RegistryCounters>();

  of(registry: string): RegistryCounters {
    let counters = this.byRegistry.get(registry);
    if (!counters) {
      counters = { requests: 0, tokenRequests: 0, bytesUploaded: 0, bytesDownloaded: 0 };
      this.byRegistry.set(registry, counters);
    }
    return counters;
  }

  get requests(): number {
    return this.sum('requests');
  }

  get tokenRequests(): number {
    return this.sum('tokenRequests');
  }

  get bytesUploaded(): number {
    return this.sum('bytesUploaded');
  }

  get bytesDownloaded(): number {
    return this.sum('bytesDownloaded');
  }

  /** Totals over every registry, as a plain object. */
  totals(): RegistryCounters {
    return {
      requests: this.requests,
      tokenRequests: this.tokenRequests,
      bytesUploaded: this.bytesUploaded,
      bytesDownloaded: this.bytesDownloaded,
    };
  }

  private sum(key: keyof RegistryCounters): number {
    let total = 0;
    for (const counters of this.byRegistry.values()) total += counters[key];
    return total;
  }
}
