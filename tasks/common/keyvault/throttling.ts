import type { SecretClientOptions } from '@azure/keyvault-secrets';
import { KEY_VAULT_RETRY, backoffDelay, parseRetryAfter, sleep } from '../net';

type AdditionalPolicy = NonNullable<SecretClientOptions['additionalPolicies']>[number];

/** What the vault's throttling cost a run (for the log, the summary and the benchmark). */
export interface ThrottleStats {
  /** HTTP requests sent to the vault (challenges and retries included). */
  requests: number;
  /** 429 and 503 answers received (each one was waited out and retried). */
  throttled: number;
  /** Retries made by this task after the SDK's own retries gave up. */
  outerRetries: number;
}

export const newThrottleStats = (): ThrottleStats => ({ requests: 0, throttled: 0, outerRetries: 0 });

const MAX_WAIT_MS = KEY_VAULT_RETRY.maxRetryAfterMs;
const BACKOFF = KEY_VAULT_RETRY.backoff;

/** Up to a quarter of the wait, at most 1 s, so that concurrent requests do not return in a burst. */
export function jitter(ms: number, random: () => number = Math.random): number {
  return Math.round(random() * Math.min(1000, Math.max(50, ms / 4)));
}

interface HeaderSource {
  get(name: string): string | undefined;
}

/** Milliseconds the vault asked to wait (`retry-after-ms`, `x-ms-retry-after-ms`, `Retry-After`). */
export function retryAfterMs(headers: HeaderSource | undefined): number | undefined {
  if (!headers) return undefined;
  for (const name of ['retry-after-ms', 'x-ms-retry-after-ms']) {
    const value = headers.get(name)?.trim();
    if (value && /^\d+$/.test(value)) return Math.min(MAX_WAIT_MS, Number(value));
  }
  return parseRetryAfter(headers.get('retry-after'), MAX_WAIT_MS);
}

export const isThrottlingStatus = (status: number | undefined) => status === 429 || status === 503;

/**
 * One clock for all of a run's requests: when the vault answers 429 with Retry-After, every
 * request (not only the throttled one) holds back until then, each with its own jitter, instead
 * of spending the remaining concurrency on more 429s.
 */
export class ThrottleGate {
  private openAt = 0;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly random: () => number = Math.random,
    private readonly pause: (ms: number) => Promise<void> = sleep,
  ) {}

  /** Close the gate for `ms` (never shortens an earlier pause). */
  pauseFor(ms: number): void {
    this.openAt = Math.max(this.openAt, this.now() + ms);
  }

  async wait(): Promise<void> {
    const remaining = this.openAt - this.now();
    if (remaining > 0) await this.pause(remaining + jitter(remaining, this.random));
  }
}

/**
 * A per-attempt pipeline policy for SecretClient: waits at the gate, counts requests, and on a
 * 429/503 closes the gate for the Retry-After the vault gave (or a backoff step). The SDK's retry
 * policy, above it, then retries the request.
 */
export function throttlePolicy(gate: ThrottleGate, stats: ThrottleStats): AdditionalPolicy {
  return {
    position: 'perRetry',
    policy: {
      name: 'releaseGuardKeyVaultThrottle',
      async sendRequest(request, next) {
        await gate.wait();
        stats.requests++;
        const response = await next(request);
        if (isThrottlingStatus(response.status)) {
          stats.throttled++;
          gate.pauseFor(retryAfterMs(response.headers) ?? backoffDelay(0, BACKOFF));
        }
        return response;
      },
    },
  };
}

interface ThrottledError {
  statusCode?: number;
  response?: { headers?: HeaderSource };
}

/** True for an SDK error that is a 429 or 503 answer (the SDK's retries are spent). */
export function isThrottlingError(err: unknown): boolean {
  return isThrottlingStatus((err as ThrottledError | null)?.statusCode);
}

export interface OuterRetryOptions {
  readonly attempts: number;
  readonly gate: ThrottleGate;
  readonly stats: ThrottleStats;
}

/**
 * Runs `op`; when it fails with throttling after the SDK's own retries, waits (Retry-After, else a
 * jittered backoff step) and runs it again, up to `attempts` times in all.
 */
export async function retryThrottled<T>(op: () => Promise<T>, options: OuterRetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (!isThrottlingError(err) || attempt >= options.attempts) throw err;
      options.stats.outerRetries++;
      const asked = retryAfterMs((err as ThrottledError).response?.headers);
      options.gate.pauseFor(asked ?? backoffDelay(attempt, BACKOFF));
      await options.gate.wait();
    }
  }
}
