// Large blobs through the fixture's fault proxy: an upload cut half-way resumes from the offset
// the registry reports (GET on the session -> Range) instead of starting over, a session the
// registry dropped starts over, and a registry refusing a whole-blob PUT gets chunks.
import assert from 'node:assert/strict';
import { copyImage, type CopyOptions } from '../../../tasks/common/copy/copy';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { startRegistry, type RegistryFixture, type RegistryRequest } from '../../emulators/registry';
import { blobExists, getManifest, pushImage, type PushedImage } from '../../emulators/registry/images';
import {
  blobUploads,
  recordingLogger,
  stopAll,
  testClient,
  uploadBytesBySession,
} from '../../support/registryTestClient';

const MiB = 1024 * 1024;

describe('registry/chunkedUpload: large blobs, chunks and resumed uploads', function () {
  this.timeout(120_000);
  let source: RegistryFixture;
  let target: RegistryFixture;
  before(async () => {
    [source, target] = await Promise.all([startRegistry(), startRegistry({ faults: true })]);
  });
  after(() => stopAll([source, target]));

  const copy = (image: PushedImage, repository: string): CopyOptions => ({
    source: parseImageReference(`${source.host}/${image.repository}:v1`),
    target: { registry: target.host, repository },
    tags: ['v1'],
    overwrite: 'never',
    copyReferrers: false,
    dryRun: false,
    concurrency: 1,
  });
  const uploadsTo = (requests: RegistryRequest[], repository: string): RegistryRequest[] =>
    blobUploads(requests).filter((r) => r.path.startsWith(`/v2/${repository}/blobs/uploads/`));
  const isUpload = (repository: string) => (method: string, path: string) =>
    (method === 'PATCH' || method === 'PUT') && path.startsWith(`/v2/${repository}/blobs/uploads/`);

  async function assertComplete(repository: string, image: PushedImage): Promise<void> {
    assert.equal((await getManifest(target, repository, 'v1'))?.digest, image.digest);
    for (const blob of image.blobs) assert.ok(await blobExists(target, repository, blob.digest), blob.digest);
  }

  it('an upload cut half-way resumes where the registry got to: less than the blob is sent again', async () => {
    const size = 8 * MiB;
    const image = await pushImage(source, 'dev/big', { format: 'oci', layers: [size], tag: 'v1' });
    const sent = image.blobs.reduce((n, b) => n + b.size, 0);
    target.injectCut?.({ match: isUpload('prod/big'), afterBytes: 4.5 * MiB });
    target.resetRequests();
    const logger = recordingLogger();
    const client = testClient({}, { uploadChunkBytes: MiB, logger });
    const report = await copyImage(client, copy(image, 'prod/big'));
    client.close();

    const uploads = uploadsTo(await target.requests(), 'prod/big');
    assert.equal(report.digest, image.digest);
    await assertComplete('prod/big', image);
    assert.equal(uploads.filter((r) => r.cut).length, 1, 'the proxy cut one request');
    assert.ok(
      uploads.some((r) => r.method === 'GET' && r.status === 204),
      'the registry was asked how far the upload got',
    );
    assert.equal(
      uploads.filter((r) => r.method === 'POST').length,
      image.blobs.length,
      'no session restarted',
    );
    const total = [...uploadBytesBySession(uploads).values()].reduce((n, b) => n + b, 0);
    const resent = total - sent;
    assert.ok(resent > 0 && resent <= MiB, `${resent} bytes sent again (one chunk at most, not ${size})`);
    assert.ok(
      logger.lines.some((l) => /resuming at byte 4194304 of 8388608/.test(l)),
      logger.lines.join('\n'),
    );
    assert.equal(report.bytesCopied, sent);
  });

  it('a session the registry drops after a cut (it kept part of the cut chunk) starts over and completes', async () => {
    const image = await pushImage(source, 'dev/dropped', { format: 'oci', layers: [4 * MiB], tag: 'v1' });
    target.injectCut?.({ match: isUpload('prod/dropped'), afterBytes: 2.5 * MiB, registrySeesPart: true });
    target.resetRequests();
    const client = testClient({}, { uploadChunkBytes: MiB });
    const report = await copyImage(client, copy(image, 'prod/dropped'));
    client.close();

    const uploads = uploadsTo(await target.requests(), 'prod/dropped');
    assert.equal(report.digest, image.digest);
    await assertComplete('prod/dropped', image);
    assert.equal(uploads.filter((r) => r.cut).length, 1);
    // distribution 2.8 refuses a session whose stored bytes differ from its state: a new one.
    assert.equal(uploads.filter((r) => r.method === 'POST').length, image.blobs.length + 1);
  });

  for (const status of [413, 416]) {
    it(`a registry answering ${status} to a whole-blob PUT gets the blob in chunks`, async () => {
      const repository = `prod/refuses-${status}`;
      const image = await pushImage(source, `dev/refuses-${status}`, {
        format: 'oci',
        layers: [300_000],
        tag: 'v1',
      });
      target.injectFault?.({ match: isUpload(repository), status, times: 1 });
      target.resetRequests();
      const client = testClient();
      const report = await copyImage(client, copy(image, repository));
      client.close();

      const uploads = uploadsTo(await target.requests(), repository);
      assert.equal(report.digest, image.digest);
      await assertComplete(repository, image);
      const refused = uploads.findIndex((r) => r.status === status);
      const session = uploads[refused]?.path;
      const after = uploads.slice(refused + 1).filter((r) => r.path === session);
      const patches = after.filter((r) => r.method === 'PATCH');
      assert.ok(patches.length > 0 && patches.every((r) => r.status === 202), JSON.stringify(after));
      const patched = patches.reduce((n, r) => n + (r.bodyBytes ?? 0), 0);
      assert.ok(
        image.blobs.some((b) => b.size === patched),
        `the chunks carry the refused blob: ${patched}`,
      );
      const completed = after.find((r) => r.method === 'PUT');
      assert.equal(completed?.status, 201);
      assert.equal(completed?.bodyBytes, 0, 'the PUT only completes the chunked upload');
    });
  }

  it('by default a blob over 16 MiB goes in one streamed PUT; once that PUT is cut, in chunks that resume', async () => {
    const size = 20 * MiB;
    const image = await pushImage(source, 'dev/whole', { format: 'oci', layers: [size], tag: 'v1' });
    target.resetRequests();
    const client = testClient();
    await copyImage(client, copy(image, 'prod/whole'));
    const whole = uploadsTo(await target.requests(), 'prod/whole');
    await assertComplete('prod/whole', image);
    assert.deepEqual(
      whole.filter((r) => r.method === 'PATCH'),
      [],
      'no chunk',
    );
    assert.equal(whole.length, 2 * image.blobs.length, 'POST and PUT per blob');
    assert.ok(
      whole.some((r) => r.method === 'PUT' && r.bodyBytes === size),
      'the layer in one PUT',
    );
    client.close();

    const another = testClient(); // a new run: the blobs are not mounted from prod/whole
    target.injectCut?.({ match: isUpload('prod/whole-cut'), afterBytes: 10 * MiB });
    target.resetRequests();
    await copyImage(another, copy(image, 'prod/whole-cut'));
    another.close();
    const cut = uploadsTo(await target.requests(), 'prod/whole-cut');
    await assertComplete('prod/whole-cut', image);
    assert.equal(cut.filter((r) => r.cut).length, 1);
    const retried = cut.slice(cut.findIndex((r) => r.cut) + 1);
    assert.ok(
      retried.filter((r) => r.method === 'PATCH').length >= 2,
      `the retry goes in 16 MiB chunks: ${JSON.stringify(retried.map((r) => r.method))}`,
    );
  });
});
