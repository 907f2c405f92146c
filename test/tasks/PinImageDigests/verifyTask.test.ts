import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { type RegistryFixture, startRegistry } from '../../emulators/registry';
import { deleteManifest, pushImage } from '../../emulators/registry/images';
import { disposeTaskRuns } from '../../support/taskRunner';
import { snapshot } from '../../support/pinningFixtures';
import { createWorkspace, pushFixtureImages, runPinTask } from './pinWorkspace';

describe('PinImageDigests@1 task: verify against a real registry', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  const workspaces: string[] = [];

  /** A workspace pinned by the task itself (so verify sees what pin wrote). */
  async function pinnedWorkspace(inputs: Record<string, string> = {}): Promise<string> {
    const ws = createWorkspace(reg.host);
    workspaces.push(ws);
    const run = await runPinTask(ws, inputs);
    assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
    return ws;
  }

  // Each test pushes what it changes to its own repositories, so the tests do not depend on order.
  beforeEach(async () => {
    reg = await startRegistry();
    await pushFixtureImages(reg);
  });
  afterEach(async () => {
    disposeTaskRuns();
    await reg?.stop();
  });
  after(() => workspaces.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  it('passes on pinned files and changes nothing', async () => {
    const ws = await pinnedWorkspace();
    const before = snapshot(ws);
    reg.resetRequests();
    const run = await runPinTask(ws, { action: 'verify' });
    assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
    assert.deepEqual(snapshot(ws), before);
    assert.deepEqual(
      run.issues.filter((i) => !i.message.includes('${RUNTIME}')),
      [],
      'no warning but the ARG one',
    );
    assert.equal(run.variables['filesChanged']?.value, '0');
    assert.equal(run.variables['lockFile']?.value, '');
    const requests = await reg.requests();
    assert.ok(requests.length > 0 && requests.every((r) => r.status === 200), JSON.stringify(requests));
    assert.match(run.summaries[0]?.content ?? '', /## Image digests verified/);
  });

  it('fails on a reference that is not pinned', async () => {
    const ws = await pinnedWorkspace();
    fs.appendFileSync(
      path.join(ws, 'docker-compose.yml'),
      `  extra:\n    image: ${reg.host}/team/base:1.0\n`,
    );
    const run = await runPinTask(ws, { action: 'verify' });
    assert.equal(run.agentResult, 'Failed');
    assert.match(
      run.message ?? '',
      /Verification failed: 1 problem\(s\):\n {2}docker-compose\.yml:8: services\.extra\.image: .*team\/base:1\.0 is not pinned to a digest/,
    );
  });

  it('fails when a pinned digest no longer exists in its registry', async () => {
    const ws = await pinnedWorkspace({ files: 'docker-compose.yml' });
    const pushed = await pushImage(reg, 'team/app', { format: 'oci', tag: 'v1' });
    const text = fs.readFileSync(path.join(ws, 'docker-compose.yml'), 'utf8');
    const pinnedApp = /team\/app:v1@(sha256:[0-9a-f]{64})/.exec(text)?.[1] ?? '';
    assert.notEqual(pinnedApp, pushed.digest);
    await deleteManifest(reg, 'team/app', pinnedApp);
    const run = await runPinTask(ws, { action: 'verify', files: 'docker-compose.yml' });
    assert.equal(run.agentResult, 'Failed');
    assert.match(
      run.message ?? '',
      new RegExp(`docker-compose\\.yml:3: .*team/app:v1@${pinnedApp} could not be verified: .*404`),
    );
  });

  it('warns about a tag that moved since pinning, and fails on it with failOnDrift', async () => {
    const ws = await pinnedWorkspace({ files: 'deploy/app.yaml' });
    const moved = await pushImage(reg, 'team/worker', { format: 'oci', tag: '0.9' });
    const warned = await runPinTask(ws, { action: 'verify', files: 'deploy/app.yaml' });
    assert.equal(warned.agentResult, 'Succeeded', warned.message ?? warned.stdout);
    const drift = warned.issues.filter((i) => i.type === 'warning' && i.message.includes('has moved'));
    assert.equal(drift.length, 1, JSON.stringify(warned.issues));
    assert.match(
      drift[0]?.message ?? '',
      /deploy\/app\.yaml:16, deploy\/app\.yaml:30: the tag .*team\/worker:0\.9 has moved/,
    );
    assert.ok(drift[0]?.message.includes(moved.digest));
    assert.match(warned.summaries[0]?.content ?? '', /Tags that moved since pinning/);

    const failed = await runPinTask(ws, { action: 'verify', files: 'deploy/app.yaml', failOnDrift: 'true' });
    assert.equal(failed.agentResult, 'Failed');
    assert.match(
      failed.message ?? '',
      /deploy\/app\.yaml:16: the tag .*team\/worker:0\.9 has moved since pinning/,
    );
  });

  it('checks digest-only references for drift through the lock file', async () => {
    const ws = await pinnedWorkspace({ files: 'docker-compose.yml', pinFormat: 'digestOnly' });
    await pushImage(reg, 'team/web', { format: 'docker', tag: '3.1', platforms: ['linux/amd64'] });
    const run = await runPinTask(ws, { action: 'verify', files: 'docker-compose.yml' });
    assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
    const drift = run.issues.filter((i) => i.message.includes('has moved'));
    assert.equal(drift.length, 1, JSON.stringify(run.issues));
    assert.match(drift[0]?.message ?? '', /team\/web:3\.1 has moved/);
  });
});
