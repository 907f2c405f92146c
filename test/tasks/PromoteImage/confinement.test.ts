// PromoteImage@1 reads its lock file only from the working directory or the pipeline workspace
// (where a lock from another stage is downloaded), once symbolic links are resolved: a lock file
// elsewhere fails the task naming it, before anything is copied.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildImageLock, serializeImageLock } from '../../../tasks/common/lockfile/imageLock';
import { type RegistryFixture, startRegistry } from '../../emulators/registry';
import { type PushedImage, getManifest, pushImage } from '../../emulators/registry/images';
import { disposeTaskRuns } from '../../support/taskRunner';
import { treeSnapshot } from '../../support/treeSnapshot';
import { failureOf, promote } from './promoteRun';

describe('PromoteImage@1: the lock file stays inside the workspace', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  let image: PushedImage;
  let root: string;

  before(async () => {
    reg = await startRegistry();
    image = await pushImage(reg, 'app', { format: 'oci', tag: '1.0.0' });
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'promote-confine-')));
    fs.mkdirSync(path.join(root, 'sources'));
    fs.mkdirSync(path.join(root, 'outside'));
    const lock = buildImageLock(
      [
        {
          reference: `${reg.host}/app:1.0.0`,
          resolved: `${reg.host}/app:1.0.0@${image.digest}`,
          digest: image.digest,
          mediaType: image.mediaType,
          platforms: [],
          occurrences: [{ file: 'deploy/app.yaml', line: 1 }],
        },
      ],
      new Date(0),
    );
    fs.writeFileSync(path.join(root, 'outside', 'image-lock.json'), serializeImageLock(lock));
  });
  after(async () => {
    fs.rmSync(root, { recursive: true, force: true });
    disposeTaskRuns();
    await reg?.stop();
  });

  async function refused(lockFile: string, target: string, ...named: string[]): Promise<void> {
    const before = treeSnapshot(root);
    const run = await promote({
      inputs: { sourceImage: `${reg.host}/app:1.0.0`, targetImage: `${reg.host}/${target}`, lockFile },
      variables: { 'System.DefaultWorkingDirectory': path.join(root, 'sources') },
    });
    const message = failureOf(run);
    for (const fragment of named) assert.ok(message.includes(fragment), `${fragment} not in: ${message}`);
    assert.equal(await getManifest(reg, target.split(':')[0] ?? '', '1.0.0'), undefined, 'nothing promoted');
    assert.deepEqual(treeSnapshot(root), before);
  }

  it('refuses a lock file outside the working directory and the pipeline workspace', async () => {
    const lockFile = path.join(root, 'outside', 'image-lock.json');
    await refused(lockFile, 'prod/app', "'lockFile'", lockFile, 'the pipeline workspace');
  });

  it('refuses a lock file reached through a symbolic link leading outside', async () => {
    fs.symlinkSync('../outside/image-lock.json', path.join(root, 'sources', 'image-lock.json'));
    await refused(
      path.join(root, 'sources', 'image-lock.json'),
      'prod/linked',
      "'lockFile'",
      path.join(root, 'outside', 'image-lock.json'),
    );
  });
});
