// PinImageDigests@1 verify with the cosign key in Key Vault (azurekms://): the packaged task reads
// the public key through its azureSubscription connection from the Key Vault emulator.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RegistryFixture, startRegistry } from '../../emulators/registry';
import { attachSigTag } from '../../common/signatures/cosignArtifacts';
import {
  CONNECTION_ID,
  startKeyVaultTestEnvironment,
  type KeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';
import { publish, signableImage } from '../../support/signedImages';
import { disposeTaskRuns, runTask } from '../../support/taskRunner';

describe('PinImageDigests@1 verify with a Key Vault key (azurekms://)', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  let kv: KeyVaultTestEnvironment;
  let ws: string;

  before(async () => {
    [reg, kv] = await Promise.all([startRegistry(), startKeyVaultTestEnvironment([])]);
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pin-kms-'));
  });
  after(async () => {
    disposeTaskRuns();
    fs.rmSync(ws, { recursive: true, force: true });
    await Promise.all([reg?.stop(), kv?.stop()]);
  });

  it('verifies with the key read from the vault and names its key id; without a connection it fails naming the input', async () => {
    const key = kv.vault.addKey({ name: 'pin-signing' });
    const signed = await signableImage(reg, 'pinned/kms', '1.0');
    attachSigTag(signed.memory, signed.image.digest, key.privateKey);
    await publish(reg, signed);
    fs.writeFileSync(path.join(ws, 'app.yaml'), `image: ${reg.host}/pinned/kms:1.0@${signed.image.digest}\n`);
    const inputs = {
      files: 'app.yaml',
      workingDirectory: ws,
      action: 'verify',
      verifySignatures: 'cosignKey',
      cosignPublicKey: `azurekms://${new URL(kv.vault.url).host}/pin-signing`,
    };
    const ok = await runTask({
      task: { shipped: 'PinImageDigestsV1' },
      inputs: { ...inputs, azureSubscription: CONNECTION_ID },
      endpoints: { [CONNECTION_ID]: kv.endpoint },
      env: kv.env,
    });
    assert.equal(ok.agentResult, 'Succeeded', ok.message ?? ok.stdout);
    const [record] = JSON.parse(ok.variables['verifiedSignatures']?.value ?? '[]') as { signer: string }[];
    assert.ok(
      record?.signer.startsWith(`key ${kv.vault.url}/keys/pin-signing/${key.version} (sha256:`),
      record?.signer,
    );

    const noConnection = await runTask({ task: { shipped: 'PinImageDigestsV1' }, inputs });
    assert.equal(noConnection.agentResult, 'Failed');
    assert.match(
      noConnection.message ?? '',
      /Input 'cosignPublicKey' names a Key Vault key .*set 'azureSubscription'/,
    );
  });
});
