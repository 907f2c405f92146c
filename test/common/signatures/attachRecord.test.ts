// Attaching promotion records to an image in the real registry fixture (distribution 2.8: no
// referrers API, so the `sha256-<hex>` fallback index) and behind a proxy that serves the OCI 1.1
// referrers API; read back as a client without our code would, and the signed form verified
// with the Sigstore libraries against the public key.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { attachPromotionRecord, mediaTypes, type PromotionFacts } from '../../../tasks/common/signatures';
import { startRegistry, type RegistryFixture, type RegistryRequest } from '../../emulators/registry';
import { listTags } from '../../emulators/registry/distributionApi';
import { pushImage } from '../../emulators/registry/images';
import { startReferrersApiProxy, type ReferrersApiProxy } from '../../emulators/referrersApiProxy';
import { readRecords } from '../../support/promotionRecords';
import { ecdsaSigner, verifyBundleWithKey } from '../../support/recordSigner';
import { testClient } from '../../support/registryTestClient';

const facts = (repository: string, digest: string): PromotionFacts => ({
  source: { reference: 'nonprod.example/app:1.0', digest },
  target: { repository, tags: ['1.0'] },
  verification: 'not verified',
  pipelineRun: {
    collectionUri: 'https://dev.azure.com/contoso/',
    project: 'shop',
    pipeline: { name: 'release', id: '7' },
    run: { id: '42', number: '1', url: 'https://dev.azure.com/contoso/shop/_build/results?buildId=42' },
    stage: 'Prod',
    job: 'Promote',
    attempt: '1',
  },
  approvals: 'unknown',
  promotedAt: '2026-12-05T09:00:00.000Z',
});

/** What each request of a record asked for, in order (the repository's part of the log). */
function requestKinds(log: readonly RegistryRequest[], repository: string): string[] {
  return log
    .filter((r) => r.path.startsWith(`/v2/${repository}/`))
    .map((r) => {
      const what = r.path.slice(`/v2/${repository}/`.length);
      const kind = what.startsWith('referrers/')
        ? 'referrers'
        : what.startsWith('manifests/sha256-')
          ? 'fallback index'
          : what.startsWith('manifests/')
            ? 'manifest'
            : what.startsWith('blobs/uploads/')
              ? 'upload'
              : 'blob';
      return `${r.method} ${kind}`;
    });
}

describe('signatures: attaching the promotion record (real registry)', function () {
  this.timeout(60_000);
  let reg: RegistryFixture;
  let proxy: ReferrersApiProxy;

  before(async () => {
    reg = await startRegistry({ auth: 'anonymous' });
    proxy = await startReferrersApiProxy(Number(reg.host.split(':')[1]));
  });
  after(async () => {
    await proxy?.close();
    await reg?.stop();
  });

  it('without a referrers API: blobs, manifest, then the fallback index, which keeps what it listed', async () => {
    const image = await pushImage(reg, 'prod/fallback', { format: 'oci', layers: [64], tag: '1.0' });
    const client = testClient();
    const at = { registry: reg.host, repository: 'prod/fallback' };
    const signer = ecdsaSigner();
    const first = await attachPromotionRecord(
      client,
      at,
      image.digest,
      facts(`${reg.host}/prod/fallback`, image.digest),
      signer,
    );
    const second = await attachPromotionRecord(
      client,
      at,
      image.digest,
      facts(`${reg.host}/prod/fallback`, image.digest),
    );
    assert.equal(first.via, 'fallback-tag');
    assert.match(first.signedBy ?? '', new RegExp(`^${signer.keyId} \\(sha256:[0-9a-f]{16}\\)$`));
    assert.equal(second.signedBy, undefined);
    const records = await readRecords(reg, 'prod/fallback', image.digest);
    assert.deepEqual(records.map((r) => r.digest).sort(), [first.digest, second.digest].sort());
    for (const r of records) assert.equal(r.manifest.subject.digest, image.digest);
    const signed = records.find((r) => r.digest === first.digest)!;
    assert.equal(signed.artifactType, mediaTypes.SIGSTORE_BUNDLE_V03);
    verifyBundleWithKey(signed.layer, signer.publicPem);
    assert.throws(() => verifyBundleWithKey(signed.layer, ecdsaSigner().publicPem));
    assert.equal(records.find((r) => r.digest === second.digest)!.artifactType, mediaTypes.IN_TOTO_PAYLOAD);
  });

  it('asks nothing the run already knows: no subject lookup, referrers probe or empty config again', async () => {
    const image = await pushImage(reg, 'prod/cost', { format: 'oci', layers: [64], tag: '1.0' });
    const client = testClient();
    const at = { registry: reg.host, repository: 'prod/cost' };
    const logged = (await reg.requests()).length;
    const first = await attachPromotionRecord(client, at, image.digest, facts('prod/cost', image.digest));
    const between = (await reg.requests()).length;
    // As after a copy: the descriptor from its report, the referrers API support learnt.
    const subject = { digest: image.digest, mediaType: image.mediaType, size: image.body.length };
    const later = { ...facts('prod/cost', image.digest), promotedAt: '2026-12-05T10:00:00.000Z' };
    const second = await attachPromotionRecord(client, at, subject, later);
    const log = await reg.requests();
    const firstKinds = requestKinds(log.slice(logged, between), 'prod/cost');
    const secondKinds = requestKinds(log.slice(between), 'prod/cost');
    // First contact: the subject's HEAD, the referrers probe and the empty config's HEAD are asked.
    for (const kind of ['HEAD manifest', 'GET referrers', 'HEAD blob'])
      assert.ok(firstKinds.includes(kind), `${kind} in ${firstKinds.join(', ')}`);
    assert.equal(first.requests, firstKinds.length);
    // Then only the record itself: index read, layer upload, manifest, index write and read-back.
    assert.deepEqual(secondKinds, [
      'GET fallback index',
      'POST upload',
      'PUT upload',
      'PUT manifest',
      'PUT fallback index',
      'GET fallback index',
    ]);
    assert.equal(second.requests, secondKinds.length);
    const records = await readRecords(reg, 'prod/cost', image.digest);
    assert.deepEqual(records.map((r) => r.digest).sort(), [first.digest, second.digest].sort());
  });

  it('two promotions of one digest at once both stay listed in the fallback index', async () => {
    const image = await pushImage(reg, 'prod/race', { format: 'oci', layers: [64], tag: '1.0' });
    const at = { registry: reg.host, repository: 'prod/race' };
    // Two runs (two clients), each reading the index before the other wrote it.
    const attached = await Promise.all(
      ['1', '2'].map((run) =>
        attachPromotionRecord(testClient(), at, image.digest, {
          ...facts('prod/race', image.digest),
          pipelineRun: {
            ...facts('prod/race', image.digest).pipelineRun,
            run: { id: run, number: run, url: 'u' },
          },
        }),
      ),
    );
    assert.equal(new Set(attached.map((a) => a.digest)).size, 2);
    const records = await readRecords(reg, 'prod/race', image.digest);
    assert.deepEqual(records.map((r) => r.digest).sort(), attached.map((a) => a.digest).sort());
  });

  it('with the referrers API: the registry indexes the record and no fallback tag is written', async () => {
    const image = await pushImage(reg, 'prod/api', { format: 'oci', layers: [64], tag: '1.0' });
    const client = testClient();
    const at = { registry: proxy.host, repository: 'prod/api' };
    const record = await attachPromotionRecord(
      client,
      at,
      image.digest,
      facts(`${proxy.host}/prod/api`, image.digest),
    );
    assert.equal(record.via, 'api');
    const records = await readRecords(reg, 'prod/api', image.digest, proxy.host);
    assert.deepEqual(
      records.map((r) => r.digest),
      [record.digest],
    );
    assert.deepEqual(await listTags(reg, 'prod/api'), ['1.0']);
  });

  it('refuses a digest the target does not hold, writing nothing', async () => {
    await pushImage(reg, 'prod/missing', { format: 'oci', layers: [64], tag: '1.0' });
    const absent = `sha256:${'0'.repeat(64)}`;
    await assert.rejects(
      attachPromotionRecord(
        testClient(),
        { registry: reg.host, repository: 'prod/missing' },
        absent,
        facts('x', absent),
      ),
      /cannot be attached: .*is not in the target registry/,
    );
    assert.deepEqual(await listTags(reg, 'prod/missing'), ['1.0']);
  });
});
