// PromoteImage@1's signature gate end to end: the packaged task against the real CNCF registry
// (distribution 2.8, no referrers API: referrers are found through the sha256-<hex> fallback index),
// with cosign `.sig` tags, Sigstore bundle referrers and Notation JWS referrers made by the
// phase-1 helpers. Whatever fails, nothing reaches the target.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { mediaTypes } from '../../../tasks/common/signatures';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { getManifest, pushImage, retagImage } from '../../emulators/registry/images';
import { startTagMovingProxy } from '../../emulators/tagMovingProxy';
import { disposeTaskRuns } from '../../support/taskRunner';
import { hasTag, publish, signableImage, type SignableImage } from '../../support/signedImages';
import {
  attachAttTag,
  attachBundle,
  attachSigTag,
  cosignKeyPair,
  keyedDsseBundle,
  simpleSigningPayload,
  statement,
  type KeyPair,
} from '../../common/signatures/cosignArtifacts';
import { attachNotation, notationJws, selfSignedSigner } from '../../common/signatures/notationArtifacts';
import { sigstoreInstance, type SigstoreInstance } from '../../common/signatures/sigstoreInstance';
import { failureOf, output, promote as promoteAnywhere, succeeded, type PromoteRun } from './promoteRun';

const SIGN = mediaTypes.COSIGN_SIGN_PREDICATE;
const PIPELINE = 'https://dev.azure.com/contoso/shop/_build?definitionId=7';
const ISSUER = 'https://vstoken.dev.azure.com/2f1c6e5a-0000-4000-8000-000000000001';

interface Verified {
  attestations: string[];
  image: string;
  digest: string;
  kind: string;
  signer: string;
  where: string;
}

describe('PromoteImage@1 signature gate (real registry, referrers through the fallback tag)', function () {
  this.timeout(240_000);
  let nonprod: RegistryFixture;
  let prod: RegistryFixture;
  let key: KeyPair;
  let keyFile: string;
  let sigstore: SigstoreInstance;
  let dir: string;
  let n = 0;

  before(async () => {
    [nonprod, prod, sigstore] = await Promise.all([
      startRegistry({ auth: 'anonymous' }),
      startRegistry({ auth: 'anonymous' }),
      sigstoreInstance(),
    ]);
    key = cosignKeyPair();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-gate-'));
    keyFile = path.join(dir, 'cosign.pub');
    fs.writeFileSync(keyFile, key.publicPem);
    fs.copyFileSync(sigstore.trustedRootFile, path.join(dir, 'trusted_root.json'));
  });
  after(async () => {
    disposeTaskRuns();
    sigstore?.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
    await Promise.all([nonprod?.stop(), prod?.stop()]);
  });

  /** Runs the task with the folder holding the trust-policy files as its working directory. */
  const promote = (run: PromoteRun) =>
    promoteAnywhere({ ...run, variables: { 'System.DefaultWorkingDirectory': dir, ...run.variables } });
  /** A fresh image in its own repository (tests do not depend on order). */
  const fresh = (): Promise<SignableImage> => signableImage(nonprod, `gate/app${++n}`, '1.0');
  const source = (s: SignableImage) => `${nonprod.host}/${s.repository}:1.0`;
  const target = (s: SignableImage) => `${prod.host}/prod/${s.repository}:1.0`;
  const promoteWith = (s: SignableImage, policy: Record<string, string>) =>
    promote({ inputs: { sourceImage: source(s), targetImage: target(s), ...policy } });
  // Trust-policy files are read from the working directory: relative paths, taken from there.
  const byKey = () => ({ verifySignatures: 'cosignKey', cosignPublicKey: 'cosign.pub' });
  const verifiedOf = (run: Awaited<ReturnType<typeof promote>>): Verified[] =>
    JSON.parse(output(run, 'verifiedSignatures')) as Verified[];

  async function refused(s: SignableImage, policy: Record<string, string>): Promise<string> {
    const message = failureOf(await promoteWith(s, policy));
    assert.ok(message.includes(`${source(s)}@${s.image.digest}`), `names the image: ${message}`);
    assert.equal(await hasTag(prod, `prod/${s.repository}`, '1.0'), false, 'nothing was written');
    return message;
  }

  it('promotes an image with a valid cosign .sig tag signature and names the key in log, summary and output', async () => {
    const s = await fresh();
    attachSigTag(s.memory, s.image.digest, key.privateKey);
    await publish(nonprod, s);
    const run = succeeded(await promoteWith(s, byKey()));
    assert.equal(output(run, 'digest'), s.image.digest);
    assert.ok(await hasTag(prod, `prod/${s.repository}`, '1.0'));
    const [verified] = verifiedOf(run);
    assert.equal(verified?.kind, 'cosign key');
    assert.match(verified?.signer ?? '', /^key .*cosign\.pub \(sha256:[0-9a-f]{16}\)$/);
    assert.match(verified?.where ?? '', /^tag sha256-[0-9a-f]+\.sig layer 1$/);
    const summary = run.summaries.map((x) => x.content).join('\n');
    assert.ok(summary.includes(verified?.signer ?? '-'), `the summary names the signer:\n${summary}`);
    assert.ok(run.stdout.includes(`Signature of ${source(s)}@${s.image.digest} accepted: cosign key`));
  });

  it('several images: a tag moved to an unsigned image after the gate is not promoted', async () => {
    const [a, b] = [await fresh(), await fresh()];
    for (const s of [a, b]) {
      attachSigTag(s.memory, s.image.digest, key.privateKey);
      await publish(nonprod, s);
    }
    const unsigned = await pushImage(nonprod, a.repository, { format: 'oci', layers: [256], tag: 'next' });
    // The gate's read of a's tag is held back while the tag moves to the unsigned image.
    const proxy = await startTagMovingProxy(
      Number(nonprod.host.split(':')[1]),
      `/v2/${a.repository}/manifests/1.0`,
      () => retagImage(nonprod, a.repository, '1.0', unsigned),
    );
    try {
      const run = await promote({
        inputs: {
          sourceImage: `${proxy.host}/${a.repository}:1.0\n${proxy.host}/${b.repository}:1.0`,
          targetImage: `${target(a)}\n${target(b)}`,
          ...byKey(),
        },
      });
      assert.ok(proxy.reads() >= 2, `the tag was read by the gate and again later (${proxy.reads()})`);
      const message = failureOf(run);
      assert.ok(message.includes(unsigned.digest), `names the digest the tag moved to: ${message}`);
      assert.equal(await getManifest(prod, `prod/${a.repository}`, unsigned.digest), undefined);
      assert.notEqual((await getManifest(prod, `prod/${a.repository}`, '1.0'))?.digest, unsigned.digest);
    } finally {
      await proxy.close();
    }
  });

  it('promotes an image signed with a keyed Sigstore bundle referrer (cosign 3)', async () => {
    const s = await fresh();
    attachBundle(s.memory, s.image, keyedDsseBundle(key, statement(s.image.digest, SIGN)), SIGN);
    await publish(nonprod, s);
    const run = succeeded(await promoteWith(s, { ...byKey(), cosignPublicKey: key.publicPem }));
    const [verified] = verifiedOf(run);
    assert.match(verified?.where ?? '', /^referrer sha256:[0-9a-f]+ \(Sigstore bundle\)$/);
    assert.match(verified?.signer ?? '', /^key cosignPublicKey \(sha256:/);
  });

  it('promotes a keyless-signed image only for the exact identity and issuer, and names the identity', async () => {
    const s = await fresh();
    const signer = await sigstore.signer(PIPELINE, ISSUER);
    attachBundle(s.memory, s.image, await signer.dsse(statement(s.image.digest, SIGN)), SIGN);
    await publish(nonprod, s);
    const keyless = {
      verifySignatures: 'cosignKeyless',
      trustedRootFile: 'trusted_root.json',
      certificateOidcIssuer: ISSUER,
    };
    // Unanchored, `definitionId=70` would accept `definitionId=7`'s signature: the identity is exact.
    const wrong = await refused(s, { ...keyless, certificateIdentity: `${PIPELINE}0` });
    assert.match(wrong, /wrong identity/);
    const run = succeeded(await promoteWith(s, { ...keyless, certificateIdentity: PIPELINE }));
    const [verified] = verifiedOf(run);
    assert.equal(verified?.kind, 'cosign keyless');
    assert.equal(verified?.signer, `${PIPELINE} (issuer ${ISSUER})`);
    assert.ok(
      run.summaries.some((x) => x.content.includes(PIPELINE)),
      'the summary names the identity',
    );
  });

  it('promotes an image with a Notation JWS referrer under the trusted certificate and subject', async () => {
    const s = await fresh();
    const signer = await selfSignedSigner('/CN=release/O=Contoso');
    attachNotation(s.memory, s.image, notationJws(signer, s.image), signer.chainPem);
    await publish(nonprod, s);
    const run = succeeded(
      await promoteWith(s, {
        verifySignatures: 'notation',
        notationCertificates: signer.chainPem.join('\n'),
        notationSubject: 'O=Contoso, CN=release',
      }),
    );
    const [verified] = verifiedOf(run);
    assert.equal(verified?.kind, 'notation');
    assert.match(verified?.where ?? '', /\(Notation signature\)$/);
  });

  it('requires a signed SLSA provenance naming the builder: present passes, another builder fails', async () => {
    const s = await fresh();
    attachSigTag(s.memory, s.image.digest, key.privateKey);
    const provenance = { runDetails: { builder: { id: 'https://builder.contoso.example/pipelines' } } };
    attachAttTag(s.memory, s.image.digest, key.privateKey, mediaTypes.SLSA_PROVENANCE_V1, provenance);
    await publish(nonprod, s);
    const required = { ...byKey(), requireAttestations: mediaTypes.SLSA_PROVENANCE_V1 };
    const wrong = await refused(s, { ...required, slsaBuilderId: 'https://elsewhere.example/builder' });
    assert.match(wrong, /lacks required attestations/);
    const run = succeeded(
      await promoteWith(s, { ...required, slsaBuilderId: 'https://builder.contoso.example/pipelines' }),
    );
    assert.deepEqual(verifiedOf(run)[0]?.attestations, [mediaTypes.SLSA_PROVENANCE_V1]);
  });

  it('refuses an unsigned image: found no signature', async () => {
    const s = await fresh();
    assert.match(await refused(s, byKey()), /Found no signature/);
  });

  it('refuses a signature made with another key: wrong key', async () => {
    const s = await fresh();
    attachSigTag(s.memory, s.image.digest, cosignKeyPair().privateKey);
    await publish(nonprod, s);
    assert.match(await refused(s, byKey()), /wrong key/);
  });

  it("refuses another image's signature copied onto this digest: wrong digest", async () => {
    const s = await fresh();
    const other = await fresh();
    attachSigTag(s.memory, s.image.digest, key.privateKey, simpleSigningPayload(other.image.digest));
    await publish(nonprod, s);
    assert.match(await refused(s, byKey()), /wrong digest.*names sha256:/);
  });

  it('refuses a Notation signature whose payload was changed after signing: tampered', async () => {
    const s = await fresh();
    const signer = await selfSignedSigner('/CN=release/O=Contoso');
    const jws = JSON.parse(notationJws(signer, s.image).toString()) as { payload: string };
    const payload = JSON.parse(Buffer.from(jws.payload, 'base64url').toString()) as object;
    jws.payload = Buffer.from(JSON.stringify({ ...payload, extra: 'changed' })).toString('base64url');
    attachNotation(s.memory, s.image, Buffer.from(JSON.stringify(jws)), signer.chainPem);
    await publish(nonprod, s);
    const message = await refused(s, {
      verifySignatures: 'notation',
      notationCertificates: signer.chainPem.join('\n'),
    });
    assert.match(message, /referrer sha256:[0-9a-f]+ \(Notation signature\): tampered/);
  });

  it('reads trust-policy files inside the working directory only: one outside fails naming the input, nothing written', async () => {
    const s = await fresh();
    attachSigTag(s.memory, s.image.digest, key.privateKey);
    await publish(nonprod, s);
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-gate-outside-'));
    try {
      fs.writeFileSync(path.join(elsewhere, 'cosign.pub'), key.publicPem);
      const message = failureOf(
        await promoteWith(s, { ...byKey(), cosignPublicKey: path.join(elsewhere, 'cosign.pub') }),
      );
      assert.match(
        message,
        /^Input 'cosignPublicKey' names 1 path\(s\) leading outside the working directory/,
      );
      assert.equal(await hasTag(prod, `prod/${s.repository}`, '1.0'), false);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('checks every image before copying any: one unsigned image of two, nothing copied', async () => {
    const good = await fresh();
    attachSigTag(good.memory, good.image.digest, key.privateKey);
    await publish(nonprod, good);
    const bad = await fresh();
    const run = await promote({
      inputs: {
        sourceImage: `${source(good)}\n${source(bad)}`,
        targetImage: `${target(good)}\n${target(bad)}`,
        ...byKey(),
      },
    });
    const message = failureOf(run);
    assert.match(message, /1 of 2 image\(s\) failed signature verification; nothing was written/);
    assert.ok(message.includes(`${source(bad)}@${bad.image.digest}`), message);
    assert.ok(!message.includes(`${source(good)}@`), `the good image is not blamed: ${message}`);
    assert.equal(
      await hasTag(prod, `prod/${good.repository}`, '1.0'),
      false,
      'the good image was not copied',
    );
    assert.equal(await hasTag(prod, `prod/${bad.repository}`, '1.0'), false);
  });
});
