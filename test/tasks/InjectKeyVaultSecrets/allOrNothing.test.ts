// InjectKeyVaultSecrets@1 replacing several files when the last rename really fails, run as the
// agent runs it: the file already replaced gets its original back, the message names the file
// that failed, and no secret is left in any file. The failure is an immutable file (chattr +i),
// which a process can read and copy but not replace, even as root; where the file system or the
// user cannot set that attribute the test is skipped (mocha reports it pending).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SeedSecret } from '../../emulators/keyVaultEmulator';
import { disposeTaskRuns } from '../../support/taskRunner';
import { treeSnapshot } from '../../support/treeSnapshot';
import { injectRunner } from './injectRun';
import {
  type KeyVaultTestEnvironment,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

const seeds: SeedSecret[] = [{ name: 'api-key', value: 'all-or-nothing-secret-5521' }];

function setImmutable(file: string, on: boolean): boolean {
  try {
    execFileSync('chattr', [on ? '+i' : '-i', file], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('InjectKeyVaultSecrets@1: several files all or nothing when a rename fails', function () {
  this.timeout(120_000);
  let env: KeyVaultTestEnvironment | undefined;
  let ws: string;

  before(async function () {
    ws = fs.mkdtempSync(path.join(os.tmpdir(), 'kv-all-or-nothing-'));
    const probe = path.join(ws, 'probe');
    fs.writeFileSync(probe, '');
    const immutable = setImmutable(probe, true);
    setImmutable(probe, false);
    fs.rmSync(probe);
    if (!immutable) this.skip(); // needs CAP_LINUX_IMMUTABLE and ext4, xfs or btrfs
    env = await startKeyVaultTestEnvironment(seeds);
  });
  after(async () => {
    if (fs.existsSync(ws)) fs.readdirSync(ws).forEach((f) => setImmutable(path.join(ws, f), false));
    fs.rmSync(ws, { recursive: true, force: true });
    disposeTaskRuns();
    await env?.stop();
  });

  it('puts back the file already replaced and names the one that failed', async () => {
    if (!env) throw new Error('no Key Vault test environment');
    for (const name of ['a.json', 'b.json'])
      fs.writeFileSync(path.join(ws, name), `{"key": "#{api-key}#"}\n`);
    const before = treeSnapshot(ws);
    assert.ok(setImmutable(path.join(ws, 'b.json'), true));
    try {
      const run = await injectRunner(env, () => seeds.map((s) => s.value))(
        { secrets: '*', setVariables: 'false', targetFiles: '*.json' },
        { variables: { 'System.DefaultWorkingDirectory': ws } },
      );
      assert.equal(run.agentResult, 'Failed', run.stdout.slice(-3000));
      assert.match(run.message ?? '', /^Could not replace .*b\.json: /);
      assert.match(
        run.message ?? '',
        /No file was changed: the 1 file\(s\) replaced before it were restored/,
      );
    } finally {
      setImmutable(path.join(ws, 'b.json'), false);
    }
    assert.deepEqual(treeSnapshot(ws), before, 'a.json has its original bytes; no temporary file is left');
  });
});
