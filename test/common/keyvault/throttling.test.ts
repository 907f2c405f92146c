// Retry-After parsing, the shared throttle gate, the outer retry around the SDK, and the work
// queue's bounded concurrency and failure handling.
import assert from 'node:assert/strict';
import {
  ThrottleGate,
  jitter,
  newThrottleStats,
  retryAfterMs,
  retryThrottled,
} from '../../../tasks/common/keyvault/throttling';
import { WorkQueue } from '../../../tasks/common/net/limiter';

const headers = (h: Record<string, string>) => ({ get: (name: string) => h[name] });
const throttledError = (status: number, retryAfter?: string) =>
  Object.assign(new Error(`HTTP ${status}`), {
    statusCode: status,
    response: { headers: headers(retryAfter ? { 'retry-after': retryAfter } : {}) },
  });

describe('throttling', () => {
  it('reads retry-after-ms, x-ms-retry-after-ms and Retry-After (seconds or date), capped at 60 s', () => {
    assert.equal(retryAfterMs(headers({ 'retry-after-ms': '250', 'retry-after': '9' })), 250);
    assert.equal(retryAfterMs(headers({ 'x-ms-retry-after-ms': '40' })), 40);
    assert.equal(retryAfterMs(headers({ 'retry-after': '2' })), 2000);
    assert.equal(retryAfterMs(headers({ 'retry-after': '3600' })), 60_000);
    assert.equal(retryAfterMs(headers({})), undefined);
  });

  it('jitter is at most a quarter of the wait, within 50 ms..1 s', () => {
    assert.equal(
      jitter(1000, () => 0.999),
      250,
    );
    assert.equal(
      jitter(10_000, () => 1),
      1000,
    );
    assert.equal(
      jitter(100, () => 1),
      50,
    );
    assert.equal(
      jitter(1000, () => 0),
      0,
    );
  });

  it('the gate holds every waiter until the latest pause ends', async () => {
    let now = 1000;
    const slept: number[] = [];
    const gate = new ThrottleGate(
      () => now,
      () => 0,
      (ms) => {
        slept.push(ms);
        return Promise.resolve();
      },
    );
    gate.pauseFor(60);
    gate.pauseFor(10); // never shortens
    await Promise.all([gate.wait(), gate.wait()]);
    assert.deepEqual(slept, [60, 60], 'each waiter held for the longest pause');
    now += 45;
    await gate.wait();
    assert.deepEqual(slept, [60, 60, 15], 'a later waiter holds only for what remains');
    now += 100;
    await gate.wait();
    assert.deepEqual(slept, [60, 60, 15], 'open once the pause is over');
  });

  it('retries a throttled operation the SDK gave up on, then gives up itself', async () => {
    const stats = newThrottleStats();
    const gate = new ThrottleGate();
    let calls = 0;
    const value = await retryThrottled(
      () => {
        calls++;
        return calls < 3
          ? Promise.reject(throttledError(calls === 1 ? 429 : 503, '0'))
          : Promise.resolve('done');
      },
      { attempts: 4, gate, stats },
    );
    assert.deepEqual([value, calls, stats.outerRetries], ['done', 3, 2]);
    let failures = 0;
    await assert.rejects(
      retryThrottled(
        () => {
          failures++;
          return Promise.reject(throttledError(429, '0'));
        },
        { attempts: 2, gate, stats },
      ),
      /HTTP 429/,
    );
    assert.equal(failures, 2);
    await assert.rejects(
      retryThrottled(() => Promise.reject(throttledError(404)), { attempts: 5, gate, stats }),
      /HTTP 404/,
    );
  });
});

describe('WorkQueue', () => {
  it('runs tasks pushed over time, at most `limit` at once', async () => {
    const queue = new WorkQueue(3);
    let running = 0;
    let most = 0;
    const done: number[] = [];
    const task = (n: number) => async () => {
      most = Math.max(most, ++running);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      done.push(n);
    };
    for (let i = 0; i < 5; i++) queue.push(task(i));
    await new Promise((r) => setTimeout(r, 2));
    for (let i = 5; i < 10; i++) queue.push(task(i));
    await queue.idle();
    assert.deepEqual([most, done.length], [3, 10]);
  });

  it('starts nothing after a failure and rejects idle() once the running ones settle', async () => {
    const queue = new WorkQueue(2);
    const started: number[] = [];
    let settled = 0;
    queue.push(async () => {
      started.push(0);
      await new Promise((r) => setTimeout(r, 1));
      throw new Error('boom');
    });
    queue.push(async () => {
      started.push(1);
      await new Promise((r) => setTimeout(r, 10));
      settled++;
    });
    queue.push(() => {
      started.push(2);
      return Promise.resolve();
    });
    await assert.rejects(queue.idle(), /boom/);
    assert.deepEqual([started, settled], [[0, 1], 1]);
  });
});
