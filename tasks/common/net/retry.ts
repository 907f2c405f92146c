// The retry policy of the library in one place: how often each kind of remote call is tried
// again and how long to wait first (backoff, Retry-After). Registry, ARM, Kubernetes, Key Vault
// and Azure DevOps calls read their numbers here; change them here.

export interface RetryPolicy {
  /** Retries after the first attempt (default 5). */
  readonly maxRetries: number;
  /** First backoff step (default 500 ms); doubles per retry. */
  readonly baseDelayMs: number;
  /** Upper bound of any wait, Retry-After included (default 30 s). */
  readonly maxDelayMs: number;
}

/** Requests through the transport: registries, token services, ARM, Kubernetes. */
export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000 };

/**
 * A manifest PUT refused because a blob it names reads as unknown, although the copy has just
 * confirmed every blob: another run committing the same blob at that moment. The CNCF registry's
 * filesystem storage rewrites the repository's blob link in place (truncate, then write), so a
 * manifest pushed in that instant sees no blob. Sent again after these waits (ms).
 */
export const RELINKED_BLOB_WAITS_MS: readonly number[] = [100, 300, 900];

/**
 * The promotion record's fallback index: before each read-back after a write, a jittered wait
 * (ms: a fixed part plus up to `jitterMs` times the attempt) for a concurrent writer's PUT to land;
 * `writes` writes in all (the first and the merges) before giving up.
 */
export const FALLBACK_INDEX_WRITES = { writes: 3, waitMs: 25, jitterMs: 75 } as const;

/** A registry GET whose answer was cut off inside its body is sent again this many times. */
export const CUT_OFF_BODY_RETRIES = 3;

/** Key Vault through the Azure SDK (which retries by itself), then this task around it. */
export const KEY_VAULT_RETRY = {
  /** The SDK's own retries of a throttled or failed request (its retryOptions). */
  sdk: {
    maxRetries: 6,
    retryDelayInMs: DEFAULT_RETRY.baseDelayMs,
    maxRetryDelayInMs: DEFAULT_RETRY.maxDelayMs,
  },
  /** Attempts in all (the first included) of an operation still throttled after the SDK's retries. */
  outerAttempts: 4,
  /** Backoff when the vault gives no Retry-After. */
  backoff: DEFAULT_RETRY,
  /** Longest wait a vault's Retry-After may impose. */
  maxRetryAfterMs: 60_000,
} as const;

/** The OIDC token of the running job, asked of Azure DevOps (workload identity federation). */
export interface OidcRetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Wait before the second attempt; doubles each time (no jitter: one request per job). */
  readonly initialDelayMs: number;
}

export const OIDC_RETRY: OidcRetryOptions = { attempts: 4, initialDelayMs: DEFAULT_RETRY.baseDelayMs };

/** The wait before attempt `attempt + 1` of a plain doubling backoff (attempt counts from 1). */
export function doublingDelay(attempt: number, initialDelayMs: number): number {
  return initialDelayMs * 2 ** (attempt - 1);
}

export function retryPolicy(options?: Partial<RetryPolicy>): RetryPolicy {
  return {
    maxRetries: options?.maxRetries ?? DEFAULT_RETRY.maxRetries,
    baseDelayMs: options?.baseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    maxDelayMs: options?.maxDelayMs ?? DEFAULT_RETRY.maxDelayMs,
  };
}

/** Statuses that may heal by themselves: timeout, throttling, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501);
}

const RETRYABLE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'UND_ERR_SOCKET',
  'ERR_STREAM_PREMATURE_CLOSE',
]);

/** Network failures worth another attempt (not DNS "no such host", not certificate errors). */
export function isRetryableNetworkError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_CODES.has(code);
}

/**
 * Jittered exponential backoff: the step is min(max, base * 2^retry), the wait a random point
 * in its upper half, so concurrent clients spread out yet always back off.
 */
export function backoffDelay(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** retry);
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Milliseconds a Retry-After header asks for (delta seconds or an HTTP date), capped at
 * `maxMs`; undefined when absent or unreadable.
 */
export function parseRetryAfter(
  value: string | undefined,
  maxMs: number,
  now: number = Date.now(),
): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(maxMs, Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date) || !/[a-z]/i.test(text)) return undefined;
  return Math.min(maxMs, Math.max(0, date - now));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
