import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type RegistryFixture, startRegistry } from '../../emulators/registry';
import type { PushedImage } from '../../emulators/registry/images';
import type { EndpointSpec } from '../../support/taskRunner';
import { disposeTaskRuns, runTask } from '../../support/taskRunner';
import { snapshot } from '../../support/pinningFixtures';
import { ALL_FILES, FIXTURE_IMAGES, createWorkspace, expectedText, pushFixtureImages } from './pinWorkspace';

const FIXTURE_NAMES = new Set(Object.keys(FIXTURE_IMAGES).map((n) => n.split(':')[0]));

const CONNECTION = '5d1c0b6e-2f1a-4c55-9d43-7f0e8a6b2c10';

describe('PinImageDigests@1 task: a token-auth registry through a Docker registry connection', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  let images: Map<string, PushedImage>;
  const password = crypto.randomBytes(12).toString('base64url');
  const workspaces: string[] = [];

  before(async () => {
    reg = await startRegistry({
      auth: 'token',
      users: [{ username: 'reader', password, access: { 'team/*': ['pull'] } }],
    });
    images = await pushFixtureImages(reg);
  });
  after(async () => {
    workspaces.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    disposeTaskRuns();
    await reg?.stop();
  });

  const connection = (secret: string): EndpointSpec => ({
    url: `http://${reg.host}`,
    scheme: 'UsernamePassword',
    parameters: { registry: `http://${reg.host}`, username: 'reader', password: secret },
    data: { registrytype: 'Others' },
  });

  function run(ws: string, secret: string) {
    return runTask({
      task: { shipped: 'PinImageDigestsV1' },
      inputs: { files: ALL_FILES, workingDirectory: ws, containerRegistry: CONNECTION },
      endpoints: { [CONNECTION]: connection(secret) },
      variables: { 'Build.ArtifactStagingDirectory': path.join(ws, 'out') },
    });
  }

  it('signs in with the connection, pins every file and never prints the password', async () => {
    const ws = createWorkspace(reg.host);
    workspaces.push(ws);
    const tokensBefore = reg.tokenServer?.requests().length ?? 0;
    const result = await run(ws, password);
    assert.equal(result.agentResult, 'Succeeded', result.message ?? result.stdout);
    const app = images.get('team/app:v1')?.digest ?? '';
    const compose = expectedText('docker-compose.yml', reg.host, (name) => images.get(name)?.digest ?? '');
    assert.equal(fs.readFileSync(path.join(ws, 'docker-compose.yml'), 'utf8'), compose);
    assert.equal(result.variables['lockFile']?.value, path.join(ws, 'out', 'image-lock.json'));
    assert.ok(fs.readFileSync(path.join(ws, 'out', 'image-lock.json'), 'utf8').includes(app));
    const tokens = (reg.tokenServer?.requests() ?? []).slice(tokensBefore);
    assert.equal(tokens.length, 1, `one token for every repository: ${JSON.stringify(tokens)}`);
    assert.equal(tokens[0]?.user, 'reader');
    assert.equal(tokens[0]?.status, 200);
    assert.deepEqual(tokens[0]?.scopes.sort(), [...FIXTURE_NAMES].map((n) => `repository:${n}:pull`).sort());
  });

  it('fails with a message naming the registry when the password is wrong, changing nothing', async () => {
    const ws = createWorkspace(reg.host);
    workspaces.push(ws);
    const before = snapshot(ws);
    const result = await run(ws, `${password}-wrong`);
    assert.equal(result.agentResult, 'Failed');
    assert.match(result.message ?? '', /No file was changed/);
    assert.ok((result.message ?? '').includes(reg.host));
    assert.match(result.message ?? '', /401|credential|sign/i);
    assert.deepEqual(snapshot(ws), before);
  });
});
