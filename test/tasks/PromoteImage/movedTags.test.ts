// PromoteImage@1 when a source tag moves: after the lock file pinned it (the lock file's digest is
// enforced, not the tag's current one: the run fails naming both digests), and between the checks
// and the copies of several images (the copies promote exactly the manifests the checks read).
// Either way the moved-to image is never promoted.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildImageLock, serializeImageLock } from '../../../tasks/common/lockfile/imageLock';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import {
  blobExists,
  getManifest,
  listTags,
  pushImage,
  retagImage as retag,
} from '../../emulators/registry/images';
import { disposeTaskRuns } from '../../support/taskRunner';
import { failureOf, promote, succeeded } from './promoteRun';
import { startTagMovingProxy, type TagMovingProxy } from '../../emulators/tagMovingProxy';

describe('PromoteImage@1: a source tag that moved is not promoted', function () {
  this.timeout(180_000);
  let nonprod: RegistryFixture;
  let prod: RegistryFixture;
  let proxy: TagMovingProxy | undefined;
  const dirs: string[] = [];

  before(async () => {
    [nonprod, prod] = await Promise.all([startRegistry(), startRegistry()]);
  });
  after(async () => {
    disposeTaskRuns();
    await proxy?.close();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    await Promise.all([nonprod?.stop(), prod?.stop()]);
  });

  it('lock file: a tag moved after locking fails naming both digests, and nothing is written', async () => {
    const locked = await pushImage(nonprod, 'locked/api', { format: 'oci', tag: '1.2.3' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-moved-'));
    dirs.push(dir);
    const lockFile = path.join(dir, 'image-lock.json');
    fs.writeFileSync(
      lockFile,
      serializeImageLock(
        buildImageLock(
          [
            {
              reference: `${nonprod.host}/locked/api:1.2.3`,
              resolved: `${nonprod.host}/locked/api:1.2.3@${locked.digest}`,
              digest: locked.digest,
              mediaType: locked.mediaType,
              platforms: [],
              occurrences: [{ file: 'deploy/api.yaml', line: 7 }],
            },
          ],
          new Date(),
        ),
      ),
    );
    // After the tests ran on the locked image, someone pushes another one to the same tag.
    const moved = await pushImage(nonprod, 'locked/api', { format: 'oci', tag: '1.2.3' });
    assert.notEqual(moved.digest, locked.digest);
    const run = await promote({
      inputs: {
        sourceImage: `${nonprod.host}/locked/api:1.2.3`,
        targetImage: `${prod.host}/prod/api`,
        lockFile,
      },
      variables: { 'Pipeline.Workspace': dir }, // where a downloaded lock file lies
    });
    const message = failureOf(run);
    assert.ok(message.includes(locked.digest), `names the locked digest: ${message}`);
    assert.ok(message.includes(moved.digest), `names the digest the tag moved to: ${message}`);
    assert.deepEqual(await listTags(prod, 'prod/api'), [], 'no tag written');
    assert.equal(await getManifest(prod, 'prod/api', moved.digest), undefined, 'no manifest written');
    for (const blob of moved.blobs) {
      assert.equal(await blobExists(prod, 'prod/api', blob.digest), false, `blob ${blob.digest} not copied`);
    }
  });

  it('several images: a tag moved between the checks and the copies is not promoted; the checked image is', async () => {
    const checked = await pushImage(nonprod, 'moving/api', { format: 'oci', tag: '4.0.0' });
    const other = await pushImage(nonprod, 'moving/worker', { format: 'oci', tag: '4.0.0' });
    const later = await pushImage(nonprod, 'moving/api', { format: 'oci', tag: 'next' });
    const port = Number(nonprod.host.split(':')[1]);
    proxy = await startTagMovingProxy(port, '/v2/moving/api/manifests/4.0.0', () =>
      retag(nonprod, 'moving/api', '4.0.0', later),
    );
    const run = await promote({
      inputs: {
        sourceImage: `${proxy.host}/moving/api:4.0.0\n${proxy.host}/moving/worker:4.0.0`,
        targetImage: `${prod.host}/prod/moving-api\n${prod.host}/prod/moving-worker`,
      },
    });
    succeeded(run);
    // The copy takes the manifest the checks read (its bytes, not the tag again).
    assert.equal(proxy.reads(), 1, 'the tag was read once, by the checks');
    assert.equal((await getManifest(nonprod, 'moving/api', '4.0.0'))?.digest, later.digest, 'the tag moved');
    assert.equal((await getManifest(prod, 'prod/moving-api', '4.0.0'))?.digest, checked.digest);
    assert.equal(
      await getManifest(prod, 'prod/moving-api', later.digest),
      undefined,
      'moved-to image not promoted',
    );
    assert.equal((await getManifest(prod, 'prod/moving-worker', '4.0.0'))?.digest, other.digest);
    assert.deepEqual(JSON.parse(run.variables['imageReferences']?.value ?? '[]'), [
      `${prod.host}/prod/moving-api:4.0.0@${checked.digest}`,
      `${prod.host}/prod/moving-worker:4.0.0@${other.digest}`,
    ]);
  });
});
