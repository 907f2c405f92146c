// A vault that answers what Key Vault never does (a proxy's HTML page, HTML with status 200, a
// body over the limit, a body cut off, XML instead of JSON), through the real SecretClient: each
// read and list ends in a UserError naming the vault, the operation and the secret, no stack.
import assert from 'node:assert/strict';
import { createVaultReader, type VaultReader } from '../../../tasks/common/keyvault/vaultReader';
import {
  HOSTILE_KINDS,
  type HostileFront,
  type HostileKind,
  startHostileFront,
} from '../../emulators/hostileAnswers';
import { assertNamesWhere, failure } from '../../support/failureMessages';
import {
  type KeyVaultTestEnvironment,
  inProcessCredential,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

describe('keyvault/hostileVault: unusable vault answers fail naming the vault, the operation and the secret', function () {
  this.timeout(60_000);
  let env: KeyVaultTestEnvironment;
  let front: HostileFront;
  let tried = 0;
  before(async () => {
    env = await startKeyVaultTestEnvironment([{ name: 'db-password', value: 'kv-value-0001' }]);
  });
  beforeEach(async () => {
    front = await startHostileFront({ tls: true, upstream: env.vault.url });
  });
  afterEach(() => front.close());
  after(async () => {
    console.log(`      Key Vault hostile answers tried: ${tried}`);
    await env.stop();
  });

  const reader = (): VaultReader =>
    createVaultReader({
      vault: { url: front.url, label: front.url, verifyChallengeResource: false },
      credential: inProcessCredential(env).credential,
      additionalPolicies: inProcessCredential(env).clientOptions.additionalPolicies,
      sdkRetries: 0,
      outerAttempts: 1,
    });
  const script = (kind: HostileKind, path: RegExp) =>
    front.script({
      match: (_m, p) => path.test(p),
      kind,
      options: {
        oversizeBytes: 5 * 1024 * 1024,
        wrongType: { contentType: 'application/xml', body: '<secret>x</secret>' },
      },
    });

  it('reads through the front when nothing is scripted (the baseline the cases below change)', async () => {
    const secret = await reader().getSecret('db-password', undefined);
    assert.equal(secret.value, 'kv-value-0001');
  });

  for (const kind of HOSTILE_KINDS) {
    it(`reading a secret answered ${kind}`, async () => {
      script(kind, /^\/secrets\/db-password/);
      const err = await failure(reader().getSecret('db-password', undefined));
      tried++;
      assertNamesWhere(err.message, kind, [front.host, "secret 'db-password'"]);
    });

    it(`listing secrets answered ${kind}`, async () => {
      script(kind, /^\/secrets\/?$/);
      const err = await failure(
        (async () => {
          for await (const page of reader().listPages(25)) assert.ok(page);
        })(),
      );
      tried++;
      assertNamesWhere(err.message, kind, [front.host, 'list secrets']);
    });
  }
});
