// PromoteImage@1's signed promotion record end to end: the packaged task verifies the source with a
// Key Vault key (azurekms://), promotes it and signs the record with another Key Vault key, both
// held by the Key Vault emulator behind the Entra ID emulator. The record is then read back from
// the target as any client reads it (the `sha256-<hex>` fallback tag of the real registry, or the
// OCI 1.1 referrers API of a proxy in front of it) and verified with `@sigstore/verify` against the
// signing key's public key, as `cosign verify-attestation --key` does.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { PROMOTION_PREDICATE, mediaTypes } from '../../../tasks/common/signatures';
import { attachSigTag } from '../../common/signatures/cosignArtifacts';
import type { StoredKey } from '../../emulators/keyVaultEmulator';
import { startReferrersApiProxy, type ReferrersApiProxy } from '../../emulators/referrersApiProxy';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import {
  CONNECTION_ID,
  startKeyVaultTestEnvironment,
  type KeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';
import { readRecords, type StoredRecord } from '../../support/promotionRecords';
import { verifyBundleWithKey } from '../../support/recordSigner';
import { publish, signableImage, type SignableImage } from '../../support/signedImages';
import { disposeTaskRuns, type TaskRun } from '../../support/taskRunner';
import { output, promote, succeeded } from './promoteRun';

const pemOf = (key: StoredKey) => key.publicKey.export({ format: 'pem', type: 'spki' }).toString();

describe('PromoteImage@1 signed promotion record (signingKey azurekms://, Key Vault emulator)', function () {
  this.timeout(240_000);
  let nonprod: RegistryFixture;
  let prod: RegistryFixture;
  let proxy: ReferrersApiProxy;
  let kv: KeyVaultTestEnvironment;
  let imageKey: StoredKey;
  let recordKey: StoredKey;
  let n = 0;

  before(async () => {
    [nonprod, prod, kv] = await Promise.all([
      startRegistry({ auth: 'anonymous' }),
      startRegistry({ auth: 'anonymous' }),
      startKeyVaultTestEnvironment([]),
    ]);
    proxy = await startReferrersApiProxy(Number(prod.host.split(':')[1]));
    imageKey = kv.vault.addKey({ name: 'ci-signing' });
    recordKey = kv.vault.addKey({ name: 'promotion-records' });
  });
  after(async () => {
    disposeTaskRuns();
    await proxy?.close();
    await Promise.all([nonprod?.stop(), prod?.stop(), kv?.stop()]);
  });

  const kms = (key: StoredKey) => `azurekms://${new URL(kv.vault.url).host}/${key.name}`;
  const kidOf = (key: StoredKey) => `${kv.vault.url}/keys/${key.name}/${key.version}`;

  /** A source image signed with the CI key, promoted to `targetHost` with its record signed. */
  async function promoteSigned(targetHost: string): Promise<{ run: TaskRun; s: SignableImage }> {
    const s = await signableImage(nonprod, `signed/app${++n}`, '1.0');
    attachSigTag(s.memory, s.image.digest, imageKey.privateKey);
    await publish(nonprod, s);
    const run = await promote({
      inputs: {
        sourceImage: `${nonprod.host}/${s.repository}:1.0`,
        targetImage: `${targetHost}/prod/${s.repository}:1.0`,
        azureSubscription: CONNECTION_ID,
        verifySignatures: 'cosignKey',
        cosignPublicKey: kms(imageKey),
        signingKey: kms(recordKey),
      },
      endpoints: { [CONNECTION_ID]: kv.endpoint },
      env: kv.env,
    });
    return { run: succeeded(run), s };
  }

  /** What `cosign verify-attestation --key` checks of a record: signature, subject, predicate. */
  function checkRecord(record: StoredRecord, run: TaskRun, s: SignableImage, targetHost: string): void {
    assert.equal(record.artifactType, mediaTypes.SIGSTORE_BUNDLE_V03);
    assert.equal(record.layerMediaType, mediaTypes.SIGSTORE_BUNDLE_V03);
    assert.equal(record.digest, output(run, 'promotionRecordDigest'));
    verifyBundleWithKey(record.layer, pemOf(recordKey));
    assert.throws(
      () => verifyBundleWithKey(record.layer, pemOf(imageKey)),
      /signature|verif/i,
      'the record must not verify with another key',
    );
    assert.equal(record.manifest.subject.digest, s.image.digest);
    assert.equal(record.statement.predicateType, PROMOTION_PREDICATE);
    assert.deepEqual(record.statement.subject, [
      {
        name: `${targetHost}/prod/${s.repository}`,
        digest: { sha256: s.image.digest.slice('sha256:'.length) },
      },
    ]);
    const predicate = record.statement.predicate;
    assert.deepEqual(predicate['source'], {
      reference: `${nonprod.host}/${s.repository}:1.0`,
      digest: s.image.digest,
    });
    const verification = predicate['verification'] as { kind: string; signer: string };
    assert.equal(verification.kind, 'cosign key');
    assert.ok(verification.signer.startsWith(`key ${kidOf(imageKey)} (sha256:`), verification.signer);
  }

  it('attaches a record under the fallback tag that verifies with the signing key only, and the summary names the key', async () => {
    const { run, s } = await promoteSigned(prod.host);
    const records = await readRecords(prod, `prod/${s.repository}`, s.image.digest);
    assert.equal(records.length, 1);
    checkRecord(records[0]!, run, s, prod.host);
    const summary = run.summaries.map((x) => x.content).join('\n');
    assert.match(
      summary,
      new RegExp(`fallback tag \\| \`${kidOf(recordKey)} \\(sha256:[0-9a-f]{16}\\)\``),
      `the summary names the record's signing key:\n${summary}`,
    );
    assert.match(run.stdout, new RegExp(`signed with key ${kidOf(recordKey)} \\(sha256:`));
  });

  it('attaches a record through the referrers API that verifies with the signing key only', async () => {
    const { run, s } = await promoteSigned(proxy.host);
    const records = await readRecords(prod, `prod/${s.repository}`, s.image.digest, proxy.host);
    assert.equal(records.length, 1);
    checkRecord(records[0]!, run, s, proxy.host);
    assert.match(run.summaries[0]?.content ?? '', /referrers API \| `https:/);
  });

  it('a record whose predicate was changed after signing does not verify', async () => {
    const { s } = await promoteSigned(prod.host);
    const [record] = await readRecords(prod, `prod/${s.repository}`, s.image.digest);
    const bundle = JSON.parse(record!.layer.toString('utf8')) as { dsseEnvelope: { payload: string } };
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8')) as {
      predicate: { source: { reference: string } };
    };
    statement.predicate.source.reference = 'evil.example/app:1.0';
    bundle.dsseEnvelope.payload = Buffer.from(JSON.stringify(statement)).toString('base64');
    assert.throws(() => verifyBundleWithKey(Buffer.from(JSON.stringify(bundle)), pemOf(recordKey)));
  });
});
