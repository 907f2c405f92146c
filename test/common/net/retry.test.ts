import assert from 'node:assert/strict';
import {
  backoffDelay,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  retryPolicy,
} from '../../../tasks/common/net/retry';

describe('registry/retry', () => {
  it('parses Retry-After seconds and HTTP dates, capped, and ignores garbage', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    assert.equal(parseRetryAfter('3', 30_000, now), 3000);
    assert.equal(parseRetryAfter(' 120 ', 30_000, now), 30_000, 'capped at the maximum');
    assert.equal(parseRetryAfter('Wed, 01 Jan 2025 00:00:05 GMT', 30_000, now), 5000);
    assert.equal(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', 30_000, now), 0, 'a past date means now');
    assert.equal(parseRetryAfter('soon', 30_000, now), undefined);
    assert.equal(parseRetryAfter('-1', 30_000, now), undefined);
    assert.equal(parseRetryAfter(undefined, 30_000, now), undefined);
  });

  it('backs off exponentially with jitter in the upper half of each step, never above the cap', () => {
    const policy = retryPolicy({ baseDelayMs: 100, maxDelayMs: 1000 });
    for (const [retry, step] of [
      [0, 100],
      [1, 200],
      [2, 400],
      [3, 800],
      [4, 1000],
      [10, 1000],
    ] as const) {
      assert.equal(
        backoffDelay(retry, policy, () => 0),
        step / 2,
        `lowest wait of retry ${retry}`,
      );
      assert.equal(
        backoffDelay(retry, policy, () => 0.999999),
        step,
        `highest wait of retry ${retry}`,
      );
      for (let i = 0; i < 20; i++) {
        const d = backoffDelay(retry, policy);
        assert.ok(d >= step / 2 && d <= step, `${d} within [${step / 2}, ${step}]`);
      }
    }
  });

  it('retries timeouts, throttling and server errors, not other client errors', () => {
    for (const s of [408, 429, 500, 502, 503, 504]) assert.equal(isRetryableStatus(s), true, String(s));
    for (const s of [400, 401, 403, 404, 405, 409, 501]) assert.equal(isRetryableStatus(s), false, String(s));
  });

  it('retries transient network errors, not DNS failures or certificate errors', () => {
    assert.equal(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' })), true);
    assert.equal(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'ETIMEDOUT' })), true);
    assert.equal(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'ENOTFOUND' })), false);
    assert.equal(isRetryableNetworkError(Object.assign(new Error('x'), { code: 'CERT_HAS_EXPIRED' })), false);
    assert.equal(isRetryableNetworkError(new Error('no code')), false);
  });

  it('fills defaults', () => {
    assert.deepEqual(retryPolicy(), { maxRetries: 5, baseDelayMs: 500, maxDelayMs: 30_000 });
    assert.deepEqual(retryPolicy({ maxRetries: 0 }), { maxRetries: 0, baseDelayMs: 500, maxDelayMs: 30_000 });
  });
});
