// `npm run task -- <pipeline.yml>` (out/runner/cli.js): steps of a YAML pipeline run with the
// packaged tasks against a real registry, connections from a file with the password from the
// environment, outputs of one step feeding the next, the log and summaries printed with secrets
// masked, exit codes, conditions after a failure, the HTML report, and the errors a user gets
// before any step runs.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRegistry, type RegistryFixture } from '../emulators/registry';
import { getManifest, pushImage, type PushedImage } from '../emulators/registry/images';
import { findLeaks } from '../support/leakCheck';
import { repoRoot } from '../support/tools';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], cwd: string, env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot(), 'out', 'runner', 'cli.js'), ...args], {
      cwd,
      env: { PATH: process.env['PATH'] ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('npm run task: a YAML pipeline run with the packaged tasks', function () {
  this.timeout(120_000);
  const user = { username: 'ci', password: 'cli-test-p@ss;word]', access: { '*': ['*' as const] } };
  let reg: RegistryFixture;
  let image: PushedImage;
  let dir: string;
  const write = (file: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  };

  before(async () => {
    reg = await startRegistry({ auth: 'basic', users: [user] });
    image = await pushImage(reg, 'team/app', {
      format: 'oci',
      tag: '1.0.0',
      platforms: ['linux/amd64', 'linux/arm64'],
    });
  });
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-cli-test-'));
    write(
      'connections.yml',
      `connections:\n  team-registry:\n    type: dockerRegistry\n    registry: http://${reg.host}\n    username: ci\n    passwordEnv: TEAM_REGISTRY_PASSWORD\n`,
    );
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
  after(() => reg?.stop());

  it('pins, then promotes with the lock file the first step wrote ($(pin.lockFile)), and writes the report', async () => {
    write(
      'deploy/app.yaml',
      `kind: Pod\nspec:\n  containers:\n    - name: app\n      image: ${reg.host}/team/app:1.0.0\n`,
    );
    write(
      'pipeline.yml',
      `steps:
- task: PinImageDigests@1
  name: pin
  inputs:
    files: deploy/*.yaml
    containerRegistry: team-registry
- task: PromoteImage@1
  name: promote
  condition: succeeded()
  inputs:
    sourceImage: $(source)
    targetImage: ${reg.host}/prod/app
    lockFile: $(pin.lockFile)
    targetConnection: team-registry
`,
    );
    const run = await runCli(
      [
        'pipeline.yml',
        '--connections',
        'connections.yml',
        '--var',
        `source=${reg.host}/team/app:1.0.0`,
        '--report',
        'run.html',
      ],
      dir,
      { TEAM_REGISTRY_PASSWORD: user.password },
    );
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.equal((await getManifest(reg, 'prod/app', '1.0.0'))?.digest, image.digest);
    assert.match(fs.readFileSync(path.join(dir, 'deploy/app.yaml'), 'utf8'), new RegExp(`@${image.digest}`));
    assert.match(run.stdout, /── Step 1\/2: Pin image digests \(PinImageDigests@1, name: pin\)/);
    assert.match(run.stdout, /pin\.lockFile = \/.*image-lock\.json/);
    assert.match(run.stdout, new RegExp(`promote\\.digest = ${image.digest}`));
    assert.match(run.stdout, /Summary:\n\s+Image promotion\n\s+=+/);
    assert.match(run.stdout, /Promote container image\s+PromoteImage@1\s+Succeeded/);
    const html = fs.readFileSync(path.join(dir, 'run.html'), 'utf8');
    assert.match(html, /<details class="group"><summary>/);
    assert.match(html, /Image promotion/);
    const leaks = findLeaks(
      [{ label: 'registry password', value: user.password }],
      [
        { where: 'stdout', text: run.stdout },
        { where: 'stderr', text: run.stderr },
        { where: 'report', text: html },
      ],
    );
    assert.deepEqual(leaks, []);
  });

  it('exits non-zero when a step fails, skips succeeded() steps and runs failed() ones', async () => {
    write(
      'pipeline.yml',
      `- task: PromoteImage@1
  inputs:
    sourceImage: ${reg.host}/team/app:1.0.0
    targetImage: ${reg.host}/prod/app
    overwrite: sometimes
- task: PromoteImage@1
  displayName: never reached
  inputs:
    sourceImage: ${reg.host}/team/app:1.0.0
    targetImage: ${reg.host}/prod/other
- task: PromoteImage@1
  displayName: on failure
  condition: failed()
  inputs:
    sourceImage: ${reg.host}/team/app:1.0.0
    targetImage: ${reg.host}/prod/other
    dryRun: true
`,
    );
    const run = await runCli(['pipeline.yml'], dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /ERROR: .*overwrite.*sometimes/);
    assert.match(run.stdout, /never reached\s+PromoteImage@1\s+Skipped/);
    assert.match(run.stdout, /on failure\s+PromoteImage@1\s+(Succeeded|Failed)/);
  });

  const badPipelines: [string, string, RegExp][] = [
    [
      'an unknown task',
      '- task: PromoteImages@1\n',
      /pipeline\.yml:1: unknown task 'PromoteImages@1' \(did you mean PromoteImage\?\)/,
    ],
    [
      'an unknown major version',
      '- task: PromoteImage@2\n',
      /PromoteImage@2 has no such major version; the extension has PromoteImage@1/,
    ],
    [
      'an input the task.json does not declare',
      '- task: PromoteImage@1\n  inputs:\n    sourceImages: a/b:1\n',
      /input 'sourceImages' is not declared by PromoteImage@1; did you mean 'sourceImage'\?/,
    ],
    [
      'a connection the file does not define',
      '- task: PromoteImage@1\n  inputs:\n    sourceImage: a/b:1\n    sourceConnection: other-registry\n',
      /input 'sourceConnection' names service connection 'other-registry', which is not defined \(connections\.yml: team-registry\)/,
    ],
    [
      'malformed YAML',
      'steps:\n- task: PromoteImage@1\n  inputs: [\n',
      /pipeline\.yml:\d+:\d+: the pipeline is not valid YAML/,
    ],
  ];
  for (const [what, yaml, message] of badPipelines) {
    it(`fails before any step runs on ${what}`, async () => {
      write('pipeline.yml', yaml);
      const run = await runCli(['pipeline.yml', '--connections', 'connections.yml'], dir, {
        TEAM_REGISTRY_PASSWORD: user.password,
      });
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, message);
      assert.doesNotMatch(run.stdout, /Step 1/);
    });
  }

  it('reads --secret values from the environment only, and says which variable is missing', async () => {
    write('pipeline.yml', '- task: PromoteImage@1\n');
    const run = await runCli(['pipeline.yml', '--secret', 'DB_PASSWORD'], dir);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /--secret DB_PASSWORD: environment variable DB_PASSWORD is not set/);
  });
});
