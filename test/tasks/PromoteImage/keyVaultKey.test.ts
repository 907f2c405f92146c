// PromoteImage@1 with Key Vault keys named as cosign names them (azurekms://<vault>/<key>): the
// packaged task reads the public key through its Azure connection from the Key Vault emulator
// (behind the Entra ID emulator) and verifies images in the real registry signed with the key
// the emulator holds; `signingKey` is read before anything is written.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import type { StoredKey } from '../../emulators/keyVaultEmulator';
import { disposeTaskRuns } from '../../support/taskRunner';
import { hasTag, publish, signableImage, type SignableImage } from '../../support/signedImages';
import {
  CONNECTION_ID,
  startKeyVaultTestEnvironment,
  type KeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';
import { attachSigTag } from '../../common/signatures/cosignArtifacts';
import { failureOf, output, promote, succeeded } from './promoteRun';

describe('PromoteImage@1 with Key Vault keys (azurekms://, real registry, Key Vault emulator)', function () {
  this.timeout(240_000);
  let nonprod: RegistryFixture;
  let prod: RegistryFixture;
  let kv: KeyVaultTestEnvironment;
  let releaseKey: StoredKey;
  let otherKey: StoredKey;
  let n = 0;

  before(async () => {
    [nonprod, prod, kv] = await Promise.all([
      startRegistry({ auth: 'anonymous' }),
      startRegistry({ auth: 'anonymous' }),
      startKeyVaultTestEnvironment([]),
    ]);
    // The test holds the vault's private keys: it signs as a pipeline signing with the key would.
    releaseKey = kv.vault.addKey({ name: 'release-signing' });
    otherKey = kv.vault.addKey({ name: 'other-team' });
  });
  after(async () => {
    disposeTaskRuns();
    await Promise.all([nonprod?.stop(), prod?.stop(), kv?.stop()]);
  });

  const kms = (key: string) => `azurekms://${new URL(kv.vault.url).host}/${key}`;
  const kidOf = (key: StoredKey) => `${kv.vault.url}/keys/${key.name}/${key.version}`;
  async function signedImage(key: StoredKey): Promise<SignableImage> {
    const s = await signableImage(nonprod, `kms/app${++n}`, '1.0');
    attachSigTag(s.memory, s.image.digest, key.privateKey);
    await publish(nonprod, s);
    return s;
  }
  const run = (s: SignableImage, inputs: Record<string, string>) =>
    promote({
      inputs: {
        sourceImage: `${nonprod.host}/${s.repository}:1.0`,
        targetImage: `${prod.host}/prod/${s.repository}:1.0`,
        azureSubscription: CONNECTION_ID,
        ...inputs,
      },
      endpoints: { [CONNECTION_ID]: kv.endpoint },
      env: kv.env,
    });
  const byKey = (key: string) => ({ verifySignatures: 'cosignKey', cosignPublicKey: kms(key) });
  const written = (s: SignableImage) => hasTag(prod, `prod/${s.repository}`, '1.0');

  it('verifies an image signed with the Key Vault key and names the key id in output and summary', async () => {
    const s = await signedImage(releaseKey);
    const result = succeeded(await run(s, byKey('release-signing')));
    assert.equal(output(result, 'digest'), s.image.digest);
    assert.ok(await written(s));
    const [verified] = JSON.parse(output(result, 'verifiedSignatures')) as { signer: string }[];
    assert.match(verified?.signer ?? '', new RegExp(`^key ${kidOf(releaseKey)} \\(sha256:[0-9a-f]{16}\\)$`));
    const summary = result.summaries.map((x) => x.content).join('\n');
    assert.ok(summary.includes(kidOf(releaseKey)), `the summary names the key id:\n${summary}`);
  });

  it('refuses an image signed with another key, naming the Key Vault key, and writes nothing', async () => {
    const s = await signedImage(otherKey);
    const message = failureOf(await run(s, byKey('release-signing')));
    assert.ok(message.includes(kidOf(releaseKey)), message);
    assert.match(message, /wrong key/);
    assert.equal(await written(s), false);
  });

  it('fails naming the key and the vault when the key is not there, and writes nothing', async () => {
    const s = await signedImage(releaseKey);
    const result = await run(s, byKey('no-such-key'));
    const message = failureOf(result);
    assert.match(message, /key 'no-such-key' was not found \(HTTP 404 KeyNotFound/);
    assert.ok(message.includes(kv.vault.url), message);
    assert.equal(await written(s), false);
  });

  it('signingKey: reads the key before anything is written; a wrong key fails first', async () => {
    const s = await signedImage(releaseKey);
    const ok = succeeded(await run(s, { signingKey: kms('release-signing') }));
    assert.ok(
      ok.stdout.includes(`The promotion record will be signed with Key Vault key ${kidOf(releaseKey)}.`),
    );
    const t = await signedImage(releaseKey);
    const message = failureOf(await run(t, { signingKey: kms('retired-key') }));
    assert.match(message, /key 'retired-key' was not found/);
    assert.equal(await written(t), false);
  });

  it('signingKey without azureSubscription, or not in azurekms form, fails naming the input', async () => {
    const s = await signedImage(releaseKey);
    const source = `${nonprod.host}/${s.repository}:1.0`;
    const target = `${prod.host}/prod/${s.repository}:1.0`;
    const noConnection = failureOf(
      await promote({
        inputs: { sourceImage: source, targetImage: target, signingKey: kms('release-signing') },
      }),
    );
    assert.match(noConnection, /Input 'signingKey' names a Key Vault key .*set 'azureSubscription'/);
    const badForm = failureOf(await run(s, { signingKey: 'https://vault.example/keys/x' }));
    assert.match(badForm, /Input 'signingKey': .* azurekms:\/\/<vault name or host>\/<key name>/);
  });
});
