// Registries that misbehave, through the fixture's fault proxy: mounts refused with 401,
// throttling with Retry-After, server errors during an upload.
import assert from 'node:assert/strict';
import { copyImage, type CopyOptions } from '../../../tasks/common/copy/copy';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { RegistryError } from '../../../tasks/common/registry/registryError';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { getManifest, pushImage } from '../../emulators/registry/images';
import { blobUploads, recordingLogger, stopAll, testClient } from '../../support/registryTestClient';

describe('registry/faults: copies through injected registry faults', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  let other: RegistryFixture;
  before(async () => {
    [reg, other] = await Promise.all([startRegistry({ faults: true }), startRegistry()]);
  });
  after(() => stopAll([reg, other]));

  const options = (from: string, target: { registry: string; repository: string }): CopyOptions => ({
    source: parseImageReference(`${reg.host}/${from}`),
    target,
    tags: ['v1'],
    overwrite: 'never',
    copyReferrers: false,
    dryRun: false,
  });

  it('a registry that answers 401 to mounts: falls back to streamed uploads, once refused no more mounts', async () => {
    const image = await pushImage(reg, 'dev/nomount', {
      format: 'oci',
      layers: [4096, 8192, 16384],
      tag: 'v1',
    });
    assert.ok(reg.injectFault !== undefined);
    reg.injectFault({
      match: (method, _path, query) => method === 'POST' && query.includes('mount='),
      status: 401,
      times: 100,
    });
    reg.resetRequests();
    const client = testClient({}, {});
    const report = await copyImage(client, {
      ...options('dev/nomount:v1', { registry: reg.host, repository: 'prod/nomount' }),
      concurrency: 1,
    });
    client.close();
    const requests = await reg.requests();
    assert.equal(report.digest, image.digest);
    assert.equal(report.blobsMounted, 0);
    assert.equal(report.blobsCopied, image.blobs.length);
    assert.equal(
      report.bytesCopied,
      image.blobs.reduce((n, b) => n + b.size, 0),
    );
    assert.equal(
      requests.filter((r) => r.query.includes('mount=')).length,
      1,
      'one refused mount, then uploads',
    );
    assert.equal(blobUploads(requests).filter((r) => r.method === 'PUT').length, image.blobs.length);
    assert.equal((await getManifest(reg, 'prod/nomount', 'v1'))?.digest, image.digest);
  });

  it('429 with Retry-After on the source manifest: waits, retries, succeeds', async () => {
    const image = await pushImage(reg, 'dev/throttled', { format: 'docker', tag: 'v1' });
    reg.injectFault?.({
      match: (method, path) => method === 'GET' && path === '/v2/dev/throttled/manifests/v1',
      status: 429,
      headers: { 'Retry-After': '1' },
      times: 1,
    });
    reg.resetRequests();
    const logger = recordingLogger();
    const client = testClient({}, { logger });
    const report = await copyImage(
      client,
      options('dev/throttled:v1', { registry: other.host, repository: 'prod/throttled' }),
    );
    client.close();
    const throttled = (await reg.requests()).filter((r) => r.path === '/v2/dev/throttled/manifests/v1');
    assert.equal(report.digest, image.digest);
    assert.deepEqual(
      throttled.map((r) => r.status),
      [429, 200],
    );
    assert.deepEqual(
      logger.lines.filter((l) => l.includes('HTTP 429; retrying in')).map((l) => /in (\d+) ms/.exec(l)?.[1]),
      ['1000'],
      'waited the 1000 ms Retry-After asked, not the 20 ms backoff',
    );
  });

  it('429 that never ends: fails naming the registry, the operation and the retries spent', async () => {
    await pushImage(reg, 'dev/storm', { format: 'oci', tag: 'v1' });
    reg.injectFault?.({ match: (_m, path) => path.startsWith('/v2/dev/storm/'), status: 429, times: 100 });
    const client = testClient({}, { maxRetries: 2 });
    await assert.rejects(
      copyImage(client, options('dev/storm:v1', { registry: other.host, repository: 'prod/storm' })),
      (err: unknown) => {
        assert.ok(err instanceof RegistryError);
        assert.equal(err.details.status, 429);
        assert.match(err.message, /read manifest v1 \(127\.0\.0\.1:\d+\/dev\/storm\) answered HTTP 429/);
        assert.match(err.message, /after 2 retries/);
        return true;
      },
    );
    client.close();
  });

  it('a 503 on a blob upload: the upload starts over and the copy completes', async () => {
    const image = await pushImage(other, 'dev/flaky', { format: 'oci', layers: [50_000], tag: 'v1' });
    reg.injectFault?.({
      match: (method, path) => method === 'PUT' && path.startsWith('/v2/prod/flaky/blobs/uploads/'),
      status: 503,
      times: 1,
    });
    reg.resetRequests();
    const client = testClient();
    const report = await copyImage(client, {
      ...options('dev/flaky:v1', { registry: reg.host, repository: 'prod/flaky' }),
      source: parseImageReference(`${other.host}/dev/flaky:v1`),
      concurrency: 1,
    });
    client.close();
    const puts = blobUploads(await reg.requests()).filter((r) => r.method === 'PUT');
    assert.deepEqual(
      puts.map((r) => r.status),
      [503, 201, 201],
      'the failed layer upload, its second attempt, the config',
    );
    assert.equal(report.blobsCopied, 2);
    assert.equal((await getManifest(reg, 'prod/flaky', 'v1'))?.digest, image.digest);
  });
});
