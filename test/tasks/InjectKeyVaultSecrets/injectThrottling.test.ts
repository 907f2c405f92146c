// 500 secrets under throttling, through the task as the agent runs it: every 429 waited out as
// Retry-After asks, concurrency bounded, every value exact, none printed.
import assert from 'node:assert/strict';
import type { SeedSecret } from '../../emulators/keyVaultEmulator';
import { throttleEveryNth } from '../../emulators/keyVaultThrottle';
import { disposeTaskRuns } from '../../support/taskRunner';
import { injectRunner, secretVariables } from './injectRun';
import {
  type KeyVaultTestEnvironment,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

const seeds: SeedSecret[] = Array.from({ length: 500 }, (_, i) => {
  const n = String(i).padStart(3, '0');
  return { name: `svc-${n}-secret`, value: `value ${n}: %;]&"\\ ✓ ${'x'.repeat(i % 40)}` };
});

describe('InjectKeyVaultSecrets@1: 500 secrets with throttling', function () {
  this.timeout(180_000);
  let env: KeyVaultTestEnvironment;
  before(async () => {
    env = await startKeyVaultTestEnvironment(seeds, { latencyMs: 5 });
  });
  after(async () => {
    disposeTaskRuns();
    await env?.stop();
  });

  it('lists, fetches and sets all 500, every 429 retried after its Retry-After, at most 32 (the default concurrency) at once', async () => {
    env.vault.configure({ throttle: throttleEveryNth(120, 1) });
    const inject = injectRunner(env, () => seeds.map((s) => s.value));
    const run = await inject({ secrets: 'svc-*', variableNames: 'upperSnake' }, { timeoutMs: 150_000 });
    assert.equal(run.result, 'Succeeded', run.message);
    const set = secretVariables(run);
    assert.equal(Object.keys(set).length, 500);
    for (const s of seeds) assert.equal(set[s.name.toUpperCase().replace(/-/g, '_')], s.value);
    const stats = env.vault.stats;
    assert.equal(stats.throttled, 4);
    assert.equal(stats.listPages, 20);
    assert.equal(stats.gets, 500, 'each value served once (429 answers are not counted as served)');
    assert.ok(stats.maxGetsInFlight <= 32, `max ${stats.maxGetsInFlight} in flight`);
    assert.match(run.stdout, /4 throttled answer\(s\) waited out/);
  });
});
