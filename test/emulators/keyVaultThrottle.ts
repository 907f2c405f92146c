// When the Key Vault emulator answers 429 (or 503): rules called for each authenticated request,
// returning the Retry-After (seconds) to answer 429 with, a status and Retry-After, or undefined
// to serve the request.

/** Secrets: list and get; keys: any keys operation (get, sign, create, import). */
export type RequestKind = 'list' | 'get' | 'key';

export interface ThrottleContext {
  /** 0-based index of the authenticated request since the emulator started (or its stats were reset). */
  readonly index: number;
  readonly kind: RequestKind;
  /** Milliseconds since the epoch at arrival. */
  readonly now: number;
}

export type ThrottleAnswer = number | { readonly status: 429 | 503; readonly retryAfterSeconds: number };

export type ThrottleRule = (request: ThrottleContext) => ThrottleAnswer | undefined;

/** Every `n`th request (of the given kinds) answers 429 with Retry-After `seconds`. */
export function throttleEveryNth(
  n: number,
  seconds: number,
  kinds: readonly RequestKind[] = ['list', 'get'],
): ThrottleRule {
  let seen = 0;
  return ({ kind }) => {
    if (!kinds.includes(kind)) return undefined;
    seen++;
    return seen % n === 0 ? seconds : undefined;
  };
}

/** The requests at these indexes answer `status` (429 unless given) with Retry-After `seconds`. */
export function throttleAt(
  indexes: Iterable<number>,
  seconds: number,
  status: 429 | 503 = 429,
): ThrottleRule {
  const set = new Set(indexes);
  return ({ index }) => (set.has(index) ? { status, retryAfterSeconds: seconds } : undefined);
}

/**
 * Key Vault's own kind of limit: at most `limit` requests served per sliding `windowMs`; past it,
 * 429 with the whole seconds until the window has room again (at least 1). Throttled requests
 * do not count against the limit.
 */
export function throttleWindow(limit: number, windowMs: number): ThrottleRule {
  const served: number[] = [];
  return ({ now }) => {
    while (served.length > 0 && (served[0] as number) <= now - windowMs) served.shift();
    if (served.length < limit) {
      served.push(now);
      return undefined;
    }
    return Math.max(1, Math.ceil(((served[0] as number) + windowMs - now) / 1000));
  };
}
