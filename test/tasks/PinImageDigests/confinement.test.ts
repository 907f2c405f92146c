// PinImageDigests@1 held to the workspace boundary, run as the agent runs it: a symbolic link, a
// `../` path or a lock file leading outside the working directory (or, for the lock file, the
// pipeline workspace) fails the task naming the file and where it leads, before any registry
// request, and nothing is written anywhere: every file inside and outside keeps its bytes.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readLockFile } from '../../../tasks/common/lockfile/readImageLock';
import { type RegistryFixture, startRegistry } from '../../emulators/registry';
import { type PushedImage, pushImage } from '../../emulators/registry/images';
import { type TaskRun, disposeTaskRuns, runTask } from '../../support/taskRunner';
import { treeSnapshot } from '../../support/treeSnapshot';

const manifest = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`;

describe('PinImageDigests@1: files and the lock file stay inside the workspace', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  let app: PushedImage;
  let root: string;
  let ws: string;
  let outside: string;
  const roots: string[] = [];

  before(async () => {
    reg = await startRegistry();
    app = await pushImage(reg, 'team/app', { format: 'oci', tag: 'v1' });
  });
  after(async () => {
    roots.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    disposeTaskRuns();
    await reg?.stop();
  });

  /** root/ws (the working directory) and root/outside, each holding a manifest the task would pin. */
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'pin-confine-')));
    roots.push(root);
    ws = path.join(root, 'ws');
    outside = path.join(root, 'outside');
    for (const file of ['ws/deploy/app.yaml', 'outside/victim.yaml', 'outside/charts/values.yaml']) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), manifest(`${reg.host}/team/app:v1`));
    }
    fs.writeFileSync(path.join(outside, 'old-lock.json'), '{"kept": "as it is"}\n');
    reg.resetRequests();
  });

  const pin = (inputs: Record<string, string>): Promise<TaskRun> =>
    runTask({
      task: { shipped: 'PinImageDigestsV1' },
      inputs: {
        files: '**/*.yaml',
        workingDirectory: ws,
        lockFile: path.join(ws, 'out', 'image-lock.json'),
        ...inputs,
      },
      debug: true,
    });

  /** Runs the task, expecting a failure naming every fragment, with nothing written under root. */
  async function refused(inputs: Record<string, string>, ...named: string[]): Promise<TaskRun> {
    const before = treeSnapshot(root);
    const run = await pin(inputs);
    assert.equal(run.agentResult, 'Failed', run.stdout.slice(-3000));
    for (const fragment of named)
      assert.ok(run.message?.includes(fragment), `${fragment} not in: ${run.message}`);
    assert.doesNotMatch(run.stdout, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
    assert.deepEqual(treeSnapshot(root), before, 'a file inside or outside the working directory changed');
    return run;
  }

  it('refuses a symbolic link to a file outside, before any registry request', async () => {
    fs.symlinkSync(path.join(outside, 'victim.yaml'), path.join(ws, 'deploy', 'evil.yaml'));
    await refused({}, "'files'", path.join('deploy', 'evil.yaml'), path.join(outside, 'victim.yaml'));
    assert.deepEqual(await reg.requests(), [], 'checked before the registry is asked');
  });

  it('refuses a glob walking through a symbolic link to a folder outside', async () => {
    fs.symlinkSync('../outside/charts', path.join(ws, 'charts'));
    await refused({}, path.join('charts', 'values.yaml'), path.join(outside, 'charts', 'values.yaml'));
  });

  it('refuses a ../ path leading out of the working directory', async () => {
    await refused({ files: 'deploy/app.yaml\n../outside/victim.yaml' }, path.join(outside, 'victim.yaml'));
  });

  it('refuses a lock file outside the working directory and the pipeline workspace', async () => {
    const lockFile = path.join(outside, 'image-lock.json');
    await refused({ lockFile }, "'lockFile'", lockFile, 'the pipeline workspace');
  });

  it('refuses a lock file that is a symbolic link leading outside, for pin and for verify', async () => {
    fs.mkdirSync(path.join(ws, 'out'));
    fs.symlinkSync(path.join(outside, 'old-lock.json'), path.join(ws, 'out', 'image-lock.json'));
    await refused({}, "'lockFile'", path.join(outside, 'old-lock.json'));
    await refused({ action: 'verify' }, "'lockFile'", path.join(outside, 'old-lock.json'));
  });

  it('fails for a file named literally that it cannot pin; the same file matched by a glob is skipped', async () => {
    fs.writeFileSync(path.join(ws, 'NOTES.txt'), 'Deploy with care.\n');
    await refused({ files: 'deploy/app.yaml\nNOTES.txt' }, 'NOTES.txt', "named in 'files'");
    const globbed = await pin({ files: 'deploy/app.yaml\n*.txt' });
    assert.equal(globbed.agentResult, 'Succeeded', globbed.message);
    assert.ok(globbed.issues.some((i) => i.type === 'warning' && i.message.includes('NOTES.txt: skipped')));
    assert.ok(fs.readFileSync(path.join(ws, 'deploy', 'app.yaml'), 'utf8').includes(app.digest));
  });

  it('follows a link inside the working directory and writes the lock into the artifact staging folder', async () => {
    fs.mkdirSync(path.join(ws, 'shared'));
    fs.renameSync(path.join(ws, 'deploy', 'app.yaml'), path.join(ws, 'shared', 'app.yaml'));
    fs.symlinkSync('../shared/app.yaml', path.join(ws, 'deploy', 'app.yaml'));
    const run = await pin({
      files: 'deploy/*.yaml',
      lockFile: '$(Build.ArtifactStagingDirectory)/image-lock.json',
    });
    assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
    assert.ok(fs.lstatSync(path.join(ws, 'deploy', 'app.yaml')).isSymbolicLink(), 'the link stays a link');
    assert.ok(fs.readFileSync(path.join(ws, 'shared', 'app.yaml'), 'utf8').includes(app.digest));
    const lock = readLockFile(path.join(run.dirs.artifactStaging, 'image-lock.json'));
    assert.equal(lock.images[0]?.digest, app.digest);
  });
});
