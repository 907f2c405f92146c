// A whole InjectKeyVaultSecrets run against a vault behind a scripted front (the Key Vault
// emulator behind it) that answers a secret with an HTML page: the task fails naming the vault,
// the operation and the secret, prints no stack, and sets no variable.
import assert from 'node:assert/strict';
import { type HostileFront, startHostileFront } from '../../emulators/hostileAnswers';
import { assertCleanFailure } from '../../support/failureMessages';
import { disposeTaskRuns } from '../../support/taskRunner';
import { injectRunner } from './injectRun';
import {
  type KeyVaultTestEnvironment,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

describe('InjectKeyVaultSecrets@1 against a vault answering HTML', function () {
  this.timeout(120_000);
  let env: KeyVaultTestEnvironment;
  let front: HostileFront;
  before(async () => {
    env = await startKeyVaultTestEnvironment([
      { name: 'db-password', value: 'kv-hostile-value-1' },
      { name: 'api-key', value: 'kv-hostile-value-2' },
    ]);
    front = await startHostileFront({ tls: true, upstream: env.vault.url });
  });
  after(async () => {
    disposeTaskRuns();
    await front.close();
    await env.stop();
  });

  it('a secret answered with an HTML page (status 200): Failed, naming the vault and the secret', async () => {
    front.script({ match: (_m, p) => p.startsWith('/secrets/db-password'), kind: 'html200' });
    const run = await injectRunner(env, () => ['kv-hostile-value-1', 'kv-hostile-value-2'])({
      keyVaultName: front.url,
      secrets: 'db-password\napi-key',
    });
    assertCleanFailure(run, 'html200', [`Key Vault ${front.url}`, "read secret 'db-password'"]);
    assert.equal(run.variables['db-password'], undefined);
  });

  it('a listing answered with an HTML page: Failed, naming the vault and "list secrets"', async () => {
    front.script({ match: (_m, p) => /^\/secrets\/?$/.test(p), kind: 'html200' });
    const run = await injectRunner(env, () => ['kv-hostile-value-1', 'kv-hostile-value-2'])({
      keyVaultName: front.url,
      secrets: 'db-*',
    });
    assertCleanFailure(run, 'html200', [`Key Vault ${front.url}`, 'list secrets']);
  });
});
