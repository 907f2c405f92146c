import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readLockFile } from '../../../tasks/common/lockfile/readImageLock';
import { type RegistryFixture, startRegistry } from '../../emulators/registry';
import type { PushedImage } from '../../emulators/registry/images';
import { disposeTaskRuns } from '../../support/taskRunner';
import { snapshot } from '../../support/pinningFixtures';
import {
  createWorkspace,
  expectedText,
  platformDigest,
  pushFixtureImages,
  runPinTask,
  taskFixtureFiles,
} from './pinWorkspace';

describe('PinImageDigests@1 task: pin and lock against a real registry', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  let images: Map<string, PushedImage>;
  const workspaces: string[] = [];
  const workspace = (): string => {
    const dir = createWorkspace(reg.host);
    workspaces.push(dir);
    return dir;
  };
  const image = (name: string): PushedImage => {
    const found = images.get(name);
    if (!found) throw new Error(`no fixture image ${name}`);
    return found;
  };

  before(async () => {
    reg = await startRegistry();
    images = await pushFixtureImages(reg);
  });
  after(async () => {
    workspaces.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    disposeTaskRuns();
    await reg?.stop();
  });

  it('pins every file type to the index digests, one registry request per unique reference', async () => {
    const ws = workspace();
    reg.resetRequests();
    const run = await runPinTask(ws, {});
    assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
    for (const rel of taskFixtureFiles()) {
      const expected = expectedText(rel, reg.host, (name) => image(name).digest);
      assert.equal(
        fs.readFileSync(path.join(ws, rel), 'utf8'),
        expected,
        `${rel} differs from its expected file`,
      );
    }
    const requests = await reg.requests();
    assert.equal(requests.length, images.size, JSON.stringify(requests));
    assert.ok(requests.every((r) => r.method === 'GET' && r.path.includes('/manifests/')));
    assert.equal(run.variables['imagesPinned']?.value, String(images.size));
    assert.equal(run.variables['filesChanged']?.value, String(taskFixtureFiles().length));
    const lockPath = path.join(ws, 'out', 'image-lock.json');
    assert.equal(run.variables['lockFile']?.value, lockPath);
    const lock = readLockFile(lockPath);
    const app = lock.images.find((i) => i.resolved.includes('/team/app:v1@'));
    assert.deepEqual(app && { ...app, occurrences: app.occurrences.map((o) => o.file) }, {
      reference: `${reg.host}/team/app:v1`,
      resolved: `${reg.host}/team/app:v1@${image('team/app:v1').digest}`,
      digest: image('team/app:v1').digest,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      platforms: ['linux/amd64', 'linux/arm64'],
      occurrences: [
        'charts/app/values.yaml',
        'deploy/app.yaml',
        'docker-compose.yml',
        'overlays/prod/kustomization.yaml',
      ],
    });
    const summary = run.summaries[0]?.content ?? '';
    assert.match(summary, /## Image digests pinned/);
    assert.ok(summary.includes(image('team/web:3.1').digest), summary);
    assert.ok(run.issues.some((i) => i.type === 'warning' && i.message.includes('${RUNTIME}')));
    assert.deepEqual(run.artifacts, [], 'no artifact unless publishLockFile');
  });

  it('pins the platform manifest digest with platform, and the manifest itself for single-platform images', async () => {
    const ws = workspace();
    const run = await runPinTask(ws, { platform: 'linux/amd64', files: 'deploy/*.yaml\ndocker-compose.yml' });
    assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
    const digestOf = (name: string): string => {
      const pushed = image(name);
      return pushed.children.length > 1 ? platformDigest(pushed, 'linux/amd64') : pushed.digest;
    };
    for (const rel of ['deploy/app.yaml', 'docker-compose.yml']) {
      assert.equal(fs.readFileSync(path.join(ws, rel), 'utf8'), expectedText(rel, reg.host, digestOf));
    }
    assert.notEqual(digestOf('team/app:v1'), image('team/app:v1').digest);
    const lock = readLockFile(path.join(ws, 'out', 'image-lock.json'));
    const web = lock.images.find((i) => i.resolved.includes('/team/web:3.1@'));
    assert.equal(web?.digest, platformDigest(image('team/web:3.1'), 'linux/amd64'));
    assert.equal(web?.mediaType, 'application/vnd.docker.distribution.manifest.v2+json');
    assert.deepEqual(web?.platforms, ['linux/amd64', 'linux/arm/v7']);
  });

  it('fails naming the platforms there are when an image lacks the requested one', async () => {
    const ws = workspace();
    const before = snapshot(path.join(ws, 'deploy'));
    const run = await runPinTask(ws, { platform: 'linux/s390x', files: 'deploy/app.yaml' });
    assert.equal(run.agentResult, 'Failed');
    assert.match(
      run.message ?? '',
      /deploy\/app\.yaml:14: .*team\/app:v1 could not be resolved: .*has no linux\/s390x image; it offers linux\/amd64, linux\/arm64/,
    );
    assert.deepEqual(snapshot(path.join(ws, 'deploy')), before);
    // A failed run still has its summary section, titled, saying what failed.
    assert.deepEqual(
      run.summaries.map((s) => s.title),
      ['Pin image digests (failed)'],
    );
    assert.match(run.summaries[0]?.content ?? '', /has no linux\/s390x image/);
    assert.match(run.summaries[0]?.content ?? '', /Nothing was recorded as done before the failure\./);
  });

  it('writes repo@digest with digestOnly', async () => {
    const ws = workspace();
    const run = await runPinTask(ws, { pinFormat: 'digestOnly', files: 'docker-compose.yml' });
    assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
    const text = fs.readFileSync(path.join(ws, 'docker-compose.yml'), 'utf8');
    assert.ok(text.includes(`image: ${reg.host}/team/app@${image('team/app:v1').digest}\n`), text);
    assert.ok(text.includes(`image: "${reg.host}/team/web@${image('team/web:3.1').digest}"\n`), text);
  });

  it('lock writes only the lock file, and publishes it as the image-lock artifact', async () => {
    const ws = workspace();
    const before = snapshot(ws);
    const run = await runPinTask(ws, { action: 'lock', publishLockFile: 'true' });
    assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
    const lockPath = path.join(ws, 'out', 'image-lock.json');
    const after = snapshot(ws);
    assert.ok(after.delete('out/image-lock.json'));
    assert.deepEqual(after, before);
    assert.equal(readLockFile(lockPath).images.length, images.size);
    assert.deepEqual(run.artifacts, [
      { artifactName: 'image-lock', containerFolder: 'image-lock', path: lockPath },
    ]);
    assert.equal(run.variables['filesChanged']?.value, '0');
  });

  it('changes no file when one reference among many does not exist, listing where it is written', async () => {
    const ws = workspace();
    const compose = path.join(ws, 'docker-compose.yml');
    fs.appendFileSync(compose, `  gone:\n    image: ${reg.host}/team/gone:1.0\n`);
    const values = path.join(ws, 'charts', 'app', 'values.yaml');
    fs.appendFileSync(values, `extra:\n  image: ${reg.host}/team/gone:1.0\n`);
    const before = snapshot(ws);
    const run = await runPinTask(ws, {});
    assert.equal(run.agentResult, 'Failed');
    const message = run.message ?? '';
    assert.match(message, /No file was changed: 2 problem\(s\)/);
    assert.match(message, /charts\/app\/values\.yaml:13: .*team\/gone:1\.0 could not be resolved: .*404/);
    assert.match(message, /docker-compose\.yml:8: .*team\/gone:1\.0 could not be resolved/);
    assert.deepEqual(snapshot(ws), before);
    assert.equal(fs.existsSync(path.join(ws, 'out')), false, 'no lock file written');
  });

  it('refuses latest and untagged references, naming file and line', async () => {
    const ws = workspace();
    fs.writeFileSync(
      path.join(ws, 'Dockerfile'),
      `FROM ${reg.host}/team/app:latest\nFROM ${reg.host}/team/app\n`,
    );
    const run = await runPinTask(ws, { files: 'Dockerfile' });
    assert.equal(run.agentResult, 'Failed');
    assert.match(run.message ?? '', /Dockerfile:1: .*team\/app:latest uses the tag latest/);
    assert.match(run.message ?? '', /Dockerfile:2: .*team\/app has no tag/);
  });
});
