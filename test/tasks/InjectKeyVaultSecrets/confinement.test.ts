// InjectKeyVaultSecrets@1 held to the workspace boundary, run as the agent runs it: a symbolic
// link or a path leading out of the working directory fails the task naming the file and where it
// leads, and no secret value reaches any file, inside or outside (every byte compared).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SeedSecret } from '../../emulators/keyVaultEmulator';
import { type TaskRun, disposeTaskRuns } from '../../support/taskRunner';
import { treeSnapshot } from '../../support/treeSnapshot';
import { injectRunner } from './injectRun';
import {
  type KeyVaultTestEnvironment,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

const seeds: SeedSecret[] = [{ name: 'db-password', value: 'confined-secret-value-7731' }];
const PLACEHOLDER = '{"password": "#{db-password}#"}\n';

describe('InjectKeyVaultSecrets@1: target files stay inside the working directory', function () {
  this.timeout(120_000);
  let env: KeyVaultTestEnvironment;
  let inject: ReturnType<typeof injectRunner>;
  let root: string;
  let ws: string;
  let outside: string;
  const roots: string[] = [];

  before(async () => {
    env = await startKeyVaultTestEnvironment(seeds);
    inject = injectRunner(env, () => seeds.map((s) => s.value));
  });
  after(async () => {
    roots.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    disposeTaskRuns();
    await env?.stop();
  });

  /** root/ws (System.DefaultWorkingDirectory) and root/outside, each with a file holding a placeholder. */
  beforeEach(() => {
    root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'kv-confine-')));
    roots.push(root);
    ws = path.join(root, 'ws');
    outside = path.join(root, 'outside');
    for (const file of ['ws/config/app.json', 'outside/victim.json', 'outside/conf/settings.json']) {
      fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      fs.writeFileSync(path.join(root, file), PLACEHOLDER);
    }
    env.vault.resetStats();
  });

  const run = (targetFiles: string): Promise<TaskRun> =>
    inject(
      { secrets: '*', setVariables: 'false', targetFiles },
      { variables: { 'System.DefaultWorkingDirectory': ws } },
    );

  /** Runs the task, expecting a failure naming every fragment, with nothing written under root. */
  async function refused(targetFiles: string, ...named: string[]): Promise<void> {
    const before = treeSnapshot(root);
    const result = await run(targetFiles);
    assert.equal(result.agentResult, 'Failed', result.stdout.slice(-3000));
    for (const fragment of named) {
      assert.ok(result.message?.includes(fragment), `${fragment} not in: ${result.message}`);
    }
    assert.doesNotMatch(result.stdout, /\n\s+at .*\(.*:\d+:\d+\)/, 'no stack trace');
    assert.deepEqual(treeSnapshot(root), before, 'a file inside or outside the working directory changed');
    assert.equal(env.vault.stats.requests, 0, 'checked before the vault is asked');
  }

  it('refuses a symbolic link to a file outside', async () => {
    fs.symlinkSync(path.join(outside, 'victim.json'), path.join(ws, 'config', 'evil.json'));
    await refused(
      '**/*.json',
      "'targetFiles'",
      path.join('config', 'evil.json'),
      path.join(outside, 'victim.json'),
    );
  });

  it('refuses a glob walking through a symbolic link to a folder outside', async () => {
    fs.symlinkSync('../outside/conf', path.join(ws, 'conf'));
    await refused(
      '**/*.json',
      path.join('conf', 'settings.json'),
      path.join(outside, 'conf', 'settings.json'),
    );
  });

  it('refuses a ../ path and an absolute path outside', async () => {
    await refused('config/app.json\n../outside/victim.json', path.join(outside, 'victim.json'));
    await refused(path.join(outside, 'conf', 'settings.json'), path.join(outside, 'conf', 'settings.json'));
  });

  it('refuses a dangling symbolic link that would create a file outside', async () => {
    fs.symlinkSync(path.join(outside, 'new.json'), path.join(ws, 'config', 'new.json'));
    await refused('config/*.json', path.join('config', 'new.json'), path.join(outside, 'new.json'));
  });

  it('still fills a file reached through a link that stays inside', async () => {
    fs.symlinkSync('app.json', path.join(ws, 'config', 'alias.json'));
    const result = await run('config/alias.json');
    assert.equal(result.agentResult, 'Succeeded', result.message ?? result.stdout);
    const text = fs.readFileSync(path.join(ws, 'config', 'app.json'), 'utf8');
    assert.equal(text, `{"password": "${seeds[0]?.value}"}\n`);
    assert.ok(fs.lstatSync(path.join(ws, 'config', 'alias.json')).isSymbolicLink());
  });
});
