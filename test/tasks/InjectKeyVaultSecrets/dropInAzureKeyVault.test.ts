// Drop-in: AzureKeyVault@2's documented YAML step, pasted with only the task name changed, runs
// InjectKeyVaultSecrets@1 through the runner (aliases resolved as the service does, the agent's
// environment, System.Debug on, every value leak-checked) with the built-in's meaning:
// `SecretsFilter` comma separated, `RunAsPreJob` moving the work to the pre-job stage.
import assert from 'node:assert/strict';
import YAML from 'yaml';
import type { SeedSecret } from '../../emulators/keyVaultEmulator';
import { disposeTaskRuns, runTask } from '../../support/taskRunner';
import { TASK, secretVariables } from './injectRun';
import {
  CONNECTION_ID,
  type KeyVaultTestEnvironment,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

const seeds: SeedSecret[] = [
  { name: 'db-password', value: 'drop-in db password' },
  { name: 'api-key', value: 'drop-in api key 42' },
  { name: 'other', value: 'not asked for' },
];

/** The step as the AzureKeyVault@2 documentation shows it, task name changed, values as variables. */
function builtInStep(secretsFilter: string, runAsPreJob: boolean, connectionName = 'azureSubscription') {
  const yaml = `
- task: InjectKeyVaultSecrets@1 # was AzureKeyVault@2
  inputs:
    ${connectionName}: '$(serviceConnection)'
    KeyVaultName: '$(keyVault)'
    SecretsFilter: '${secretsFilter}'
    RunAsPreJob: ${runAsPreJob}
`;
  const [step] = YAML.parse(yaml) as [{ inputs: Record<string, string | boolean> }];
  return Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, String(v)]));
}

describe('InjectKeyVaultSecrets@1: AzureKeyVault@2 YAML as a drop-in', function () {
  this.timeout(120_000);
  let env: KeyVaultTestEnvironment;
  before(async () => (env = await startKeyVaultTestEnvironment(seeds)));
  after(async () => {
    disposeTaskRuns();
    await env?.stop();
  });

  const run = (inputs: Record<string, string>, stage: 'prejobexecution' | 'execution' = 'execution') =>
    runTask({
      task: TASK,
      inputs,
      endpoints: { [CONNECTION_ID]: env.endpoint },
      variables: { serviceConnection: CONNECTION_ID, keyVault: env.vault.url },
      env: env.env,
      debug: true,
      secrets: seeds.map((s) => s.value),
      stage,
    });

  it('SecretsFilter: a comma-separated list of names selects exactly those secrets', async () => {
    const result = await run(builtInStep('db-password, api-key', false));
    assert.equal(result.result, 'Succeeded', result.message);
    assert.deepEqual(secretVariables(result), {
      'db-password': 'drop-in db password',
      'api-key': 'drop-in api key 42',
    });
  });

  it("SecretsFilter '*' under ConnectedServiceName (the built-in's declared name) takes every secret", async () => {
    const result = await run(builtInStep('*', false, 'ConnectedServiceName'));
    assert.equal(result.result, 'Succeeded', result.message);
    assert.deepEqual(Object.keys(secretVariables(result)).sort(), ['api-key', 'db-password', 'other']);
  });

  it('RunAsPreJob: true runs in the pre-job stage and the step itself then does nothing', async () => {
    const pre = await run(builtInStep('api-key', true), 'prejobexecution');
    assert.equal(pre.result, 'Succeeded', pre.message);
    assert.deepEqual(secretVariables(pre), { 'api-key': 'drop-in api key 42' });
    const step = await run(builtInStep('api-key', true), 'execution');
    assert.equal(step.result, 'Skipped');
    assert.deepEqual(secretVariables(step), {});
  });
});
