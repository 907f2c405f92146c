// The fetcher with the real SecretClient against the emulator: bounded concurrency, value fetches
// overlapping the listing, no listing for explicit names, each version fetched once, values
// registered as they arrive, disabled and expired secrets left unfetched.
import assert from 'node:assert/strict';
import { fetchSelectedSecrets } from '../../../tasks/common/keyvault/fetchSecrets';
import { parseSecretSelection } from '../../../tasks/common/keyvault/secretSelection';
import { createVaultReader } from '../../../tasks/common/keyvault/vaultReader';
import {
  type KeyVaultTestEnvironment,
  inProcessCredential,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

const DAY = 24 * 3600 * 1000;

describe('fetchSelectedSecrets against the Key Vault emulator', function () {
  this.timeout(60_000);
  let env: KeyVaultTestEnvironment;
  const bulk = Array.from({ length: 100 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);

  before(async () => {
    env = await startKeyVaultTestEnvironment([
      ...bulk.map((name) => ({ name, value: `value of ${name}` })),
      { name: 'app-disabled', value: 'off', enabled: false },
      { name: 'app-expired', value: 'old', expires: new Date(Date.now() - DAY) },
      { name: 'app-future', value: 'soon', notBefore: new Date(Date.now() + DAY) },
      { name: 'app-live', value: 'live value' },
    ]);
  });
  after(async () => {
    await env?.stop();
  });
  beforeEach(() => {
    env.vault.configure({ latencyMs: 0, throttle: undefined });
    env.vault.resetStats();
  });

  function fetch(secrets: string[], concurrency: number) {
    const registered: string[] = [];
    const azure = inProcessCredential(env);
    const reader = createVaultReader({
      vault: { url: env.vault.url, label: 'emulator', verifyChallengeResource: false },
      credential: azure.credential,
      additionalPolicies: azure.clientOptions.additionalPolicies,
    });
    const report = fetchSelectedSecrets({
      selection: parseSecretSelection(secrets),
      reader,
      concurrency,
      secrets: { register: (v) => registered.push(v) },
    });
    return { report, registered };
  }

  it('fetches named secrets without listing, at most `concurrency` at once', async () => {
    env.vault.configure({ latencyMs: 20 });
    const names = bulk.slice(0, 40);
    const { report, registered } = fetch(names, 4);
    const result = await report;
    assert.equal(env.vault.stats.listPages, 0);
    assert.equal(result.resolved.length, 40);
    assert.equal(env.vault.stats.maxGetsInFlight, 4);
    for (const name of names) assert.ok(registered.includes(`value of ${name}`));
  });

  it('overlaps value fetches with the listing of the next pages', async () => {
    env.vault.configure({ latencyMs: 20 });
    const result = await fetch(['bulk-*'], 16).report;
    assert.equal(result.resolved.length, 100);
    assert.equal(result.pagesListed, 5);
    const events = env.vault.stats.events;
    const firstGet = events.findIndex((e) => e.kind === 'get');
    const lastList = events.map((e) => e.kind).lastIndexOf('list');
    assert.ok(firstGet >= 0 && firstGet < lastList, 'a value was requested before the last page was listed');
    assert.ok(env.vault.stats.maxGetsInFlight <= 16 && env.vault.stats.maxGetsInFlight > 1);
  });

  it('fetches each secret version once however many entries select it', async () => {
    const result = await fetch(['bulk-00*', 'bulk-0?1', 'bulk-001', 'bulk-001 => ONE'], 8).report;
    // bulk-000..009 and bulk-001, 011, ..., 091: 19 distinct secrets
    assert.equal(env.vault.stats.gets, 19);
    assert.equal(result.valuesRequested, 19);
    const uses = result.resolved.filter((r) => r.name === 'bulk-001').map((r) => r.entry);
    assert.deepEqual(uses.sort(), ['bulk-001', 'bulk-001 => ONE', 'bulk-00*'].sort());
  });

  it('leaves disabled, expired and not-yet-valid listed secrets unfetched, with the reason', async () => {
    const result = await fetch(['app-*'], 4).report;
    assert.deepEqual(
      result.resolved.map((r) => r.name),
      ['app-live'],
    );
    assert.deepEqual(result.inactive.map((s) => `${s.name}: ${s.reason}`).sort(), [
      'app-disabled: disabled',
      'app-expired: expired',
      'app-future: not yet valid',
    ]);
    assert.equal(env.vault.stats.gets, 1);
  });

  it('reports named secrets that are missing, disabled or expired, and patterns matching nothing', async () => {
    const result = await fetch(['no-such', 'app-disabled', 'app-expired', 'nothing-*'], 4).report;
    assert.deepEqual(
      result.missing.map((m) => m.name),
      ['no-such'],
    );
    assert.deepEqual(result.inactive.map((s) => `${s.name}: ${s.reason}`).sort(), [
      'app-disabled: disabled',
      'app-expired: expired',
    ]);
    assert.deepEqual(result.unmatchedPatterns, ['nothing-*']);
  });
});
