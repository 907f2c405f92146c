// PinImageDigests@1 verify with a trust policy: every pinned digest must be signed under it,
// against the real registry (cosign `.sig` tags made by the phase-1 helpers).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type RegistryFixture, startRegistry } from '../../emulators/registry';
import { attachSigTag, cosignKeyPair } from '../../common/signatures/cosignArtifacts';
import { publish, signableImage } from '../../support/signedImages';
import { disposeTaskRuns, runTask } from '../../support/taskRunner';

describe('PinImageDigests@1 verify: the signature gate', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  let ws: string;

  before(async () => {
    reg = await startRegistry();
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'pin-gate-'));
  });
  after(async () => {
    disposeTaskRuns();
    fs.rmSync(ws, { recursive: true, force: true });
    await reg?.stop();
  });

  it('passes when every pinned digest is signed, names the key; fails naming the unsigned image', async () => {
    const key = cosignKeyPair();
    const signed = await signableImage(reg, 'pinned/api', '1.0');
    attachSigTag(signed.memory, signed.image.digest, key.privateKey);
    await publish(reg, signed);
    const unsigned = await signableImage(reg, 'pinned/worker', '1.0');
    const api = `${reg.host}/pinned/api:1.0@${signed.image.digest}`;
    const worker = `${reg.host}/pinned/worker:1.0@${unsigned.image.digest}`;
    const verify = (file: string) =>
      runTask({
        task: { shipped: 'PinImageDigestsV1' },
        inputs: {
          files: file,
          workingDirectory: ws,
          action: 'verify',
          verifySignatures: 'cosignKey',
          cosignPublicKey: key.publicPem,
        },
      });
    fs.writeFileSync(path.join(ws, 'api.yaml'), `image: ${api}\n`);
    fs.writeFileSync(path.join(ws, 'all.yaml'), `image: ${api}\n---\nimage: ${worker}\n`);

    const ok = await verify('api.yaml');
    assert.equal(ok.agentResult, 'Succeeded', ok.message ?? ok.stdout);
    const [record] = JSON.parse(ok.variables['verifiedSignatures']?.value ?? '[]') as {
      digest: string;
      signer: string;
    }[];
    assert.equal(record?.digest, signed.image.digest);
    assert.match(record?.signer ?? '', /^key cosignPublicKey \(sha256:[0-9a-f]{16}\)$/);
    assert.ok(ok.summaries.some((s) => s.content.includes(record?.signer ?? '-')));

    const bad = await verify('all.yaml');
    assert.equal(bad.agentResult, 'Failed', bad.stdout);
    assert.match(bad.message ?? '', /1 of 2 image\(s\) failed signature verification/);
    assert.ok(bad.message?.includes(`Image ${worker} is not signed`), bad.message);
  });
  it('reads a key file relative to workingDirectory, and refuses one leading outside it', async () => {
    const key = cosignKeyPair();
    const signed = await signableImage(reg, 'pinned/files', '1.0');
    attachSigTag(signed.memory, signed.image.digest, key.privateKey);
    await publish(reg, signed);
    fs.mkdirSync(path.join(ws, 'keys'), { recursive: true });
    fs.writeFileSync(path.join(ws, 'keys', 'cosign.pub'), key.publicPem);
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'pin-gate-outside-'));
    fs.writeFileSync(path.join(elsewhere, 'cosign.pub'), key.publicPem);
    fs.symlinkSync(path.join(elsewhere, 'cosign.pub'), path.join(ws, 'keys', 'leaving.pub'));
    fs.writeFileSync(
      path.join(ws, 'files.yaml'),
      `image: ${reg.host}/pinned/files:1.0@${signed.image.digest}\n`,
    );
    const verify = (cosignPublicKey: string) =>
      runTask({
        task: { shipped: 'PinImageDigestsV1' },
        inputs: {
          files: 'files.yaml',
          workingDirectory: ws,
          action: 'verify',
          verifySignatures: 'cosignKey',
          cosignPublicKey,
        },
      });
    try {
      const ok = await verify('keys/cosign.pub');
      assert.equal(ok.agentResult, 'Succeeded', ok.message ?? ok.stdout);
      for (const file of ['keys/leaving.pub', path.join(elsewhere, 'cosign.pub')]) {
        const refused = await verify(file);
        assert.equal(refused.agentResult, 'Failed', refused.stdout);
        assert.match(
          refused.message ?? '',
          /^Input 'cosignPublicKey' names 1 path\(s\) leading outside the working directory/,
        );
        assert.equal(refused.variables['verifiedSignatures'], undefined);
      }
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
