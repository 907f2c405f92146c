// Fault injection into whole InjectKeyVaultSecrets@1 runs: the vault is given by its URI, the
// loopback address of a TLS fault proxy in front of the Key Vault emulator (the certificate from
// the same test CA the agent is told to trust). Every run must set every variable byte for byte and
// fill the file exactly, or fail cleanly naming the vault with the file untouched; a variable it
// did set is never a damaged value.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SeedSecret } from '../emulators/keyVaultEmulator';
import { startFaultProxy, type FaultProxy } from '../emulators/faultProxy';
import { secretVariables } from '../tasks/InjectKeyVaultSecrets/injectRun';
import {
  CONNECTION_ID,
  MULTI_LINE_VALUE,
  SPECIAL_VALUE,
  largeValue,
  startKeyVaultTestEnvironment,
  type KeyVaultTestEnvironment,
} from '../support/keyVaultEnvironment';
import { disposeTaskRuns, runTask, type TaskRun } from '../support/taskRunner';
import { addFaults, judge, scenarioTally, scheduleCount, scheduleSeed } from './faultRuns';
import { partialFiles, readTree } from './workspaceFiles';

const SCENARIO = 'InjectKeyVaultSecrets';
const RATE = 0.2;
const seeds: SeedSecret[] = [
  { name: 'db-password', value: 'p@ss;word]%41&<x>' },
  { name: 'special', value: SPECIAL_VALUE },
  { name: 'multi-line', value: MULTI_LINE_VALUE },
  { name: 'large', value: largeValue('faults') },
  { name: 'app-1-key', value: 'app one key' },
  { name: 'app-2-key', value: 'app two key' },
  { name: 'unused', value: 'never selected' },
];
const selected = seeds.filter((s) => s.name !== 'unused');
const CONFIG = 'config/appsettings.json';
const TEMPLATE = '{"Db": "Password=#{db-password}#;", "Special": "#{special}#", "App": "#{app-1-key}#"}\n';

describe('fault injection: InjectKeyVaultSecrets@1 through seeded Key Vault faults', function () {
  this.timeout(180_000);
  let env: KeyVaultTestEnvironment;
  let proxy: FaultProxy;
  let rendered: string;
  const dirs: string[] = [];
  const tally = scenarioTally(SCENARIO);

  const workspace = (): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-kv-faults-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, 'config'));
    fs.writeFileSync(path.join(dir, CONFIG), TEMPLATE);
    return dir;
  };
  const inject = (dir: string): Promise<TaskRun> =>
    runTask({
      task: { shipped: 'InjectKeyVaultSecretsV1' },
      inputs: {
        azureSubscription: CONNECTION_ID,
        keyVaultName: proxy.url,
        secrets: 'db-password\nspecial\nmulti-line\nlarge\napp-*',
        targetFiles: CONFIG,
      },
      endpoints: { [CONNECTION_ID]: env.endpoint },
      variables: { 'System.DefaultWorkingDirectory': dir },
      env: env.env,
      debug: true,
      secrets: seeds.map((s) => s.value),
      timeoutMs: 150_000,
    });

  before(async () => {
    env = await startKeyVaultTestEnvironment(seeds);
    proxy = await startFaultProxy({ tls: true, upstreamPort: Number(new URL(env.vault.url).port) });
    // The file as a run without faults fills it: what every successful run must write.
    const dir = workspace();
    const clean = await inject(dir);
    assert.equal(clean.agentResult, 'Succeeded', clean.message);
    rendered = fs.readFileSync(path.join(dir, CONFIG), 'utf8');
    assert.ok(rendered.includes('"App": "app one key"'), rendered);
  });
  after(async () => {
    tally.report();
    disposeTaskRuns();
    dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    await proxy?.close();
    await env?.stop();
  });

  for (let i = 0; i < scheduleCount(); i++) {
    const seed = scheduleSeed(SCENARIO, i);
    it(`schedule ${i} (seed ${seed})`, async () => {
      const dir = workspace();
      const original = readTree(dir);
      proxy.resetCounts();
      proxy.schedule({ seed, rate: RATE });
      tally.schedules++;
      const run = await inject(dir).finally(() => {
        proxy.schedule(undefined);
        addFaults(tally.faults, proxy.counts());
      });

      const now = readTree(dir);
      const odd = partialFiles(now, original, new Map([[CONFIG, rendered]]));
      tally.partialFiles += odd.length;
      assert.deepEqual(odd, [], 'the file is its original or fully filled');
      const set = secretVariables(run);
      for (const [name, value] of Object.entries(set)) {
        assert.equal(
          value,
          seeds.find((s) => s.name === name)?.value,
          `variable ${name} is the vault's value`,
        );
      }

      await judge(run, tally, `127.0.0.1:${proxy.port}`, () => {
        assert.deepEqual(set, Object.fromEntries(selected.map((s) => [s.name, s.value])));
        assert.equal(now.get(CONFIG), rendered);
      });
      if (run.agentResult === 'Failed')
        assert.equal(now.get(CONFIG), TEMPLATE, 'a failed run changes no file');
    });
  }
});
