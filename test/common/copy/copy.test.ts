// copyImage against real registries (distribution 2.8, anonymous): mounts, streamed copies,
// multi-arch in both media-type families, referrers, re-runs, refusals and dry runs.
import assert from 'node:assert/strict';
import { UserError } from '../../../tasks/common/errors';
import type { RegistryClient } from '../../../tasks/common/registry/client';
import { copyImage, type CopyOptions } from '../../../tasks/common/copy/copy';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { blobExists, getManifest, listTags, pushImage, pushReferrer } from '../../emulators/registry/images';
import { blobUploads, stopAll, testClient, writes } from '../../support/registryTestClient';

const MB = 1024 * 1024;

describe('registry/copy: copyImage against real registries', function () {
  this.timeout(120_000);
  let a: RegistryFixture;
  let b: RegistryFixture;
  let client: RegistryClient;

  before(async () => {
    [a, b] = await Promise.all([startRegistry(), startRegistry()]);
  });
  after(() => stopAll([a, b]));
  beforeEach(() => {
    client = testClient();
  });
  afterEach(() => client.close());

  const options = (
    source: string,
    target: { registry: string; repository: string },
    tags: string[],
  ): CopyOptions => ({
    source: parseImageReference(source),
    target,
    tags,
    overwrite: 'never',
    copyReferrers: false,
    dryRun: false,
  });

  it('checks only: reads the source and the target tags, writes nothing, refuses a conflict', async () => {
    const image = await pushImage(a, 'dev/checked', {
      format: 'docker',
      platforms: ['linux/amd64', 'linux/arm64'],
      tag: 'v1',
    });
    const taken = await pushImage(b, 'prod/checked', { format: 'oci', tag: 'v1' });
    a.resetRequests();
    b.resetRequests();
    const report = await copyImage(client, {
      ...options(`${a.host}/dev/checked:v1`, { registry: b.host, repository: 'prod/checked' }, ['v2']),
      copyReferrers: true,
      checksOnly: true,
    });
    assert.equal(report.digest, image.digest);
    assert.deepEqual(report.tagsCreated, ['v2']);
    const seen = [...(await a.requests()), ...(await b.requests())].map((r) => `${r.method} ${r.path}`);
    assert.deepEqual(
      seen.sort(),
      [`GET /v2/dev/checked/manifests/v1`, `HEAD /v2/prod/checked/manifests/v2`].sort(),
    );
    await assert.rejects(
      copyImage(client, {
        ...options(`${a.host}/dev/checked:v1`, { registry: b.host, repository: 'prod/checked' }, ['v1']),
        checksOnly: true,
      }),
      (err: unknown) => err instanceof UserError && err.message.includes(taken.digest),
    );
    assert.deepEqual(await listTags(b, 'prod/checked'), ['v1']);
  });

  it('same registry: mounts every blob, uploads no layer byte, in at most L+4 requests', async () => {
    const layers = [MB, MB, 512 * 1024, 256 * 1024, 4096];
    const image = await pushImage(a, 'dev/same', { format: 'oci', layers, tag: 'v1' });
    a.resetRequests();
    const report = await copyImage(
      client,
      options(`${a.host}/dev/same:v1`, { registry: a.host, repository: 'prod/same' }, ['v1']),
    );
    const requests = await a.requests();

    assert.equal(report.digest, image.digest);
    assert.equal(report.blobsMounted, layers.length + 1, 'layers and config mounted');
    assert.equal(report.blobsCopied, 0);
    assert.equal(report.bytesCopied, 0);
    assert.deepEqual(blobUploads(requests), [], 'no blob upload request');
    assert.ok(
      requests.length <= layers.length + 4,
      `${requests.length} requests for ${layers.length} layers`,
    );
    assert.equal(report.requests, requests.length, 'the report counts what the registry saw');
    assert.deepEqual(report.tagsCreated, ['v1']);
    assert.equal((await getManifest(a, 'prod/same', 'v1'))?.digest, image.digest);
  });

  it('same registry with referrers on (the default of the task): two reads more, still no upload', async () => {
    const image = await pushImage(a, 'dev/same-ref', { format: 'docker', layers: [2048, 2048], tag: 'v1' });
    a.resetRequests();
    const report = await copyImage(client, {
      ...options(`${a.host}/dev/same-ref:v1`, { registry: a.host, repository: 'prod/same-ref' }, ['v1']),
      copyReferrers: true,
    });
    const requests = await a.requests();
    assert.equal(report.digest, image.digest);
    assert.ok(requests.length <= 2 + 4 + 2, `${requests.length} requests`);
    assert.deepEqual(blobUploads(requests), []);
  });

  for (const format of ['oci', 'docker'] as const) {
    it(`across registries: ${format} multi-arch image copied whole, target digest = source digest`, async () => {
      const image = await pushImage(a, `src/multi-${format}`, {
        format,
        layers: [300 * 1024, 2048],
        platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'],
        tag: '1.0',
      });
      const progress: number[] = [];
      const report = await copyImage(client, {
        ...options(
          `${a.host}/src/multi-${format}:1.0`,
          { registry: b.host, repository: `dst/multi-${format}` },
          ['1.0', 'stable'],
        ),
        onProgress: (p) => progress.push(p.bytesDone),
        progressIntervalMs: 0,
        concurrency: 3,
      });
      assert.equal(report.digest, image.digest);
      assert.equal(report.mediaType, image.mediaType);
      assert.deepEqual(report.platforms, ['linux/amd64', 'linux/arm64', 'linux/arm/v7']);
      assert.equal(report.blobsCopied, image.blobs.length);
      assert.equal(
        report.bytesCopied,
        image.blobs.reduce((n, blob) => n + blob.size, 0),
      );
      assert.equal(report.manifestsPushed, 4, 'three children and the index');
      assert.deepEqual(report.tagsCreated, ['1.0', 'stable']);
      assert.equal(progress.at(-1), report.bytesCopied, 'the last progress report is complete');
      for (const tag of ['1.0', 'stable']) {
        assert.equal((await getManifest(b, `dst/multi-${format}`, tag))?.digest, image.digest, tag);
      }
      for (const child of image.children) {
        assert.equal((await getManifest(b, `dst/multi-${format}`, child.digest))?.digest, child.digest);
      }
      for (const blob of image.blobs)
        assert.ok(await blobExists(b, `dst/multi-${format}`, blob.digest), blob.digest);
    });
  }

  it('across registries: skips blobs the target already has, copies by digest only without tags', async () => {
    const image = await pushImage(a, 'src/partial', {
      format: 'docker',
      layers: [4096, 8192],
      seed: 'shared-seed',
    });
    await pushImage(b, 'dst/partial', { format: 'docker', layers: [4096], seed: 'shared-seed' });
    const report = await copyImage(
      client,
      options(`${a.host}/src/partial@${image.digest}`, { registry: b.host, repository: 'dst/partial' }, []),
    );
    assert.equal(report.blobsSkipped, 1, 'the shared first layer');
    assert.equal(report.blobsCopied, 2);
    assert.deepEqual(report.tagsCreated, []);
    assert.equal((await getManifest(b, 'dst/partial', image.digest))?.digest, image.digest);
  });

  it('across registries, in one run: a layer already copied to another target repository is mounted from there', async () => {
    await pushImage(a, 'src/base-one', { format: 'oci', layers: [4096], seed: 'base-layer', tag: 'v1' });
    await pushImage(a, 'src/base-two', {
      format: 'oci',
      layers: [4096, 8192],
      seed: 'base-layer',
      tag: 'v1',
    });
    await copyImage(
      client,
      options(`${a.host}/src/base-one:v1`, { registry: b.host, repository: 'dst/one' }, ['v1']),
    );
    b.resetRequests();
    const second = await copyImage(
      client,
      options(`${a.host}/src/base-two:v1`, { registry: b.host, repository: 'dst/two' }, ['v1']),
    );
    assert.equal(second.blobsMounted, 1, 'the shared base layer');
    assert.equal(second.blobsCopied, 2, 'the new layer and the config');
    const mounts = (await b.requests()).filter((r) => r.query.includes('mount='));
    assert.equal(mounts.length, 1);
    assert.match(mounts[0]?.query ?? '', /from=dst%2Fone|from=dst\/one/);
  });

  it('copies referrers: the fallback-tag index and cosign tags, with their blobs', async () => {
    const image = await pushImage(a, 'src/signed', { format: 'oci', layers: [1024], tag: 'v2' });
    const sbom = await pushReferrer(a, 'src/signed', image.digest, 'fallback-index');
    const sig = await pushReferrer(a, 'src/signed', image.digest, 'cosign-sig');
    const report = await copyImage(client, {
      ...options(`${a.host}/src/signed:v2`, { registry: b.host, repository: 'dst/signed' }, ['v2']),
      copyReferrers: true,
    });
    assert.equal(report.referrersCopied, 2);
    const fallbackTag = image.digest.replace(':', '-');
    const tags = await listTags(b, 'dst/signed');
    assert.ok(tags.includes(fallbackTag) && tags.includes(`${fallbackTag}.sig`), tags.join(' '));
    const index = await getManifest(b, 'dst/signed', fallbackTag);
    assert.equal(
      index?.digest,
      (await getManifest(a, 'src/signed', fallbackTag))?.digest,
      'same fallback index bytes',
    );
    assert.equal((await getManifest(b, 'dst/signed', sbom.digest))?.digest, sbom.digest);
    assert.equal((await getManifest(b, 'dst/signed', `${fallbackTag}.sig`))?.digest, sig.digest);
    for (const blob of [...sbom.blobs, ...sig.blobs])
      assert.ok(await blobExists(b, 'dst/signed', blob.digest));

    // A referrer added later is merged into the target's fallback index on the next run.
    const att = await pushReferrer(a, 'src/signed', image.digest, 'fallback-index', {
      artifactType: 'application/x-att',
    });
    const again = await copyImage(client, {
      ...options(`${a.host}/src/signed:v2`, { registry: b.host, repository: 'dst/signed' }, ['v2']),
      copyReferrers: true,
    });
    assert.equal(again.referrersCopied, 1);
    const merged = JSON.parse((await getManifest(b, 'dst/signed', fallbackTag))?.body.toString() ?? '{}') as {
      manifests: { digest: string }[];
    };
    assert.deepEqual(merged.manifests.map((m) => m.digest).sort(), [sbom.digest, att.digest].sort());
  });

  it('a re-run writes nothing and reports the tags unchanged', async () => {
    const image = await pushImage(a, 'src/rerun', {
      format: 'oci',
      platforms: ['linux/amd64', 'linux/arm64'],
      tag: 'v1',
    });
    await pushReferrer(a, 'src/rerun', image.digest, 'fallback-index');
    const copy = {
      ...options(`${a.host}/src/rerun:v1`, { registry: b.host, repository: 'dst/rerun' }, ['v1']),
      copyReferrers: true,
    };
    await copyImage(client, copy);
    b.resetRequests();
    const report = await copyImage(client, copy);
    assert.deepEqual(writes(await b.requests()), []);
    assert.deepEqual(report.tagsUnchanged, ['v1']);
    assert.deepEqual(report.tagsCreated, []);
    assert.equal(
      report.blobsCopied + report.blobsMounted + report.manifestsPushed + report.referrersCopied,
      0,
    );
  });

  it("overwrite 'never' refuses a tag that points elsewhere, names both digests, changes nothing", async () => {
    const wanted = await pushImage(a, 'src/clash', { format: 'oci', tag: 'v1' });
    const other = await pushImage(b, 'dst/clash', { format: 'oci', tag: 'v1' });
    b.resetRequests();
    await assert.rejects(
      copyImage(
        client,
        options(`${a.host}/src/clash:v1`, { registry: b.host, repository: 'dst/clash' }, ['v1']),
      ),
      (err: unknown) =>
        err instanceof UserError &&
        err.message.includes(wanted.digest) &&
        err.message.includes(other.digest) &&
        /\bv1\b/.test(err.message),
    );
    assert.deepEqual(writes(await b.requests()), []);
    assert.equal((await getManifest(b, 'dst/clash', 'v1'))?.digest, other.digest);

    const moved = await copyImage(client, {
      ...options(`${a.host}/src/clash:v1`, { registry: b.host, repository: 'dst/clash' }, ['v1']),
      overwrite: 'always',
    });
    assert.deepEqual(moved.tagsCreated, ['v1']);
    assert.equal((await getManifest(b, 'dst/clash', 'v1'))?.digest, wanted.digest);
  });

  it('an expectedDigest that differs fails before any write, showing both digests and the source', async () => {
    const image = await pushImage(a, 'src/expected', { format: 'docker', tag: 'v1' });
    const expected = `sha256:${'0'.repeat(64)}`;
    a.resetRequests();
    b.resetRequests();
    await assert.rejects(
      copyImage(client, {
        ...options(`${a.host}/src/expected:v1`, { registry: b.host, repository: 'dst/expected' }, ['v1']),
        expectedDigest: expected,
      }),
      (err: unknown) =>
        err instanceof UserError &&
        err.message.includes(expected) &&
        err.message.includes(image.digest) &&
        err.message.includes(`${a.host}/src/expected:v1`),
    );
    assert.deepEqual([...writes(await a.requests()), ...(await b.requests())], []);
    const ok = await copyImage(client, {
      ...options(`${a.host}/src/expected:v1`, { registry: b.host, repository: 'dst/expected' }, ['v1']),
      expectedDigest: image.digest,
    });
    assert.equal(ok.digest, image.digest);
  });

  it('a dry run reads, plans and reports, and writes nothing', async () => {
    const image = await pushImage(a, 'src/dry', {
      format: 'oci',
      layers: [1000, 2000],
      platforms: ['linux/amd64', 'linux/arm64'],
      tag: 'v1',
    });
    await pushReferrer(a, 'src/dry', image.digest, 'cosign-sig');
    for (const [target, expectMounts] of [
      [{ registry: b.host, repository: 'dst/dry' }, false],
      [{ registry: a.host, repository: 'prod/dry' }, true],
    ] as const) {
      a.resetRequests();
      b.resetRequests();
      const report = await copyImage(client, {
        ...options(`${a.host}/src/dry:v1`, target, ['v1']),
        copyReferrers: true,
        dryRun: true,
      });
      assert.deepEqual([...writes(await a.requests()), ...writes(await b.requests())], [], 'no write');
      assert.equal(report.dryRun, true);
      assert.deepEqual(report.tagsCreated, ['v1']);
      assert.equal(report.referrersCopied, 1);
      const blobs = image.blobs.length + 2; // the signature's config and layer
      assert.equal(expectMounts ? report.blobsMounted : report.blobsCopied, blobs);
      assert.deepEqual(await listTags(target.registry === a.host ? a : b, target.repository), []);
    }
  });

  it('fails clearly when the source tag does not exist, before any write', async () => {
    b.resetRequests();
    await assert.rejects(
      copyImage(
        client,
        options(`${a.host}/src/none:nope`, { registry: b.host, repository: 'dst/none' }, ['nope']),
      ),
      (err: unknown) =>
        err instanceof UserError &&
        /HTTP 404/.test(err.message) &&
        err.message.includes(`${a.host}/src/none`) &&
        /does not exist/.test(err.message),
    );
    assert.deepEqual(await b.requests(), []);
  });
});
