// InjectKeyVaultSecrets@1 bad-input corpus (see badInputCases.ts) against the Entra ID and Key Vault
// emulators: every case fails cleanly, names the input, file or secret, sets no variable and
// leaves every file as it was.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { SeedSecret } from '../emulators/keyVaultEmulator';
import {
  CONNECTION_ID,
  type KeyVaultTestEnvironment,
  startKeyVaultTestEnvironment,
} from '../support/keyVaultEnvironment';
import { type EndpointSpec, disposeTaskRuns, runTask } from '../support/taskRunner';
import {
  HUGE,
  caseFiles,
  caseWorkspace,
  cases,
  expectCleanFailure,
  printTimings,
  removeCaseWorkspaces,
} from './badInputCases';

const SEEDS: SeedSecret[] = [{ name: 'db-password', value: 'bad-inputs-db-secret-4417' }];
const WRONG_CLIENT_SECRET = 'kv~wrong-client-secret-0000';
const CONFIG = { 'config/app.json': '{"password": "#{db-password}#"}\n' };

type Ctx = KeyVaultTestEnvironment;

const CASES = cases<Ctx>([
  {
    name: 'empty azureSubscription',
    inputs: () => ({ azureSubscription: '' }),
    names: () => ["'azureSubscription'"],
  },
  {
    name: 'azureSubscription naming no connection',
    inputs: () => ({ azureSubscription: randomUUID() }),
    names: () => ["'azureSubscription'"],
  },
  {
    name: 'azureSubscription with a wrong client secret',
    inputs: () => ({ azureSubscription: CONNECTION_ID }),
    names: () => [CONNECTION_ID],
  },
  { name: 'empty keyVaultName', inputs: () => ({ keyVaultName: '' }), names: () => ["'keyVaultName'"] },
  {
    name: 'keyVaultName not a vault name',
    inputs: () => ({ keyVaultName: 'not a vault!' }),
    names: () => ['keyVaultName', 'not a vault!'],
  },
  {
    name: 'keyVaultName over plain http',
    inputs: (c) => ({ keyVaultName: c.vault.url.replace('https:', 'http:') }),
    names: () => ['keyVaultName', 'https'],
  },
  {
    name: 'keyVaultName with credentials in the URI',
    inputs: () => ({ keyVaultName: 'https://user:pass@vault.example.net/' }),
    names: () => ['keyVaultName'],
  },
  { name: 'keyVaultName of 100 KiB', inputs: () => ({ keyVaultName: HUGE }), names: () => ['keyVaultName'] },
  {
    name: 'secrets entry not a secret name',
    inputs: () => ({ secrets: 'db_password!' }),
    names: () => ['secrets', 'db_password!'],
  },
  {
    name: 'secrets pattern renamed',
    inputs: () => ({ secrets: 'db-* => DB' }),
    names: () => ['secrets', 'db-* => DB'],
  },
  {
    name: 'secrets entry with a malformed version',
    inputs: () => ({ secrets: 'db-password/not-a-version!' }),
    names: () => ['secrets', 'db-password/not-a-version!'],
  },
  {
    name: 'secrets renamed to an invalid variable',
    inputs: () => ({ secrets: 'db-password => $bad var' }),
    names: () => ['secrets', '$bad var'],
  },
  { name: 'secrets of 100 KiB', inputs: () => ({ secrets: `db-${HUGE}` }), names: () => ['secrets'] },
  {
    name: 'secret the vault does not have',
    inputs: () => ({ secrets: 'db-password\nno-such-secret' }),
    names: () => ['no-such-secret'],
  },
  {
    name: 'missingSecrets not a choice',
    inputs: () => ({ missingSecrets: 'ignore' }),
    names: () => ["'missingSecrets'", 'fail, warn'],
  },
  {
    name: 'variableNames not a choice',
    inputs: () => ({ variableNames: 'camelCase' }),
    names: () => ["'variableNames'", 'asIs, upperSnake'],
  },
  {
    name: 'variablePrefix with a space',
    inputs: () => ({ variablePrefix: 'KV prefix' }),
    names: () => ["'variablePrefix'"],
  },
  { name: 'encoding not a choice', inputs: () => ({ encoding: 'utf8' }), names: () => ["'encoding'"] },
  {
    name: 'unresolvedTokens not a choice',
    inputs: () => ({ unresolvedTokens: 'ignore' }),
    names: () => ["'unresolvedTokens'"],
  },
  { name: 'concurrency 0', inputs: () => ({ concurrency: '0' }), names: () => ["'concurrency'", '1 to 64'] },
  { name: "concurrency 'many'", inputs: () => ({ concurrency: 'many' }), names: () => ["'concurrency'"] },
  { name: "runAsPreJob 'yes'", inputs: () => ({ runAsPreJob: 'yes' }), names: () => ["'runAsPreJob'"] },
  { name: "setVariables 'no'", inputs: () => ({ setVariables: 'no' }), names: () => ["'setVariables'"] },
  {
    name: "skipDisabledAndExpired 'nah'",
    inputs: () => ({ skipDisabledAndExpired: 'nah' }),
    names: () => ["'skipDisabledAndExpired'"],
  },
  {
    name: 'tokenPrefix on two lines',
    inputs: () => ({ tokenPrefix: '#{\n{' }),
    names: () => ["'tokenPrefix'"],
  },
  {
    name: 'targetFiles of 100 KiB',
    inputs: () => ({ targetFiles: HUGE }),
    files: CONFIG,
    names: () => ["'targetFiles'"],
  },
  {
    name: 'targetFiles leaving the working directory',
    inputs: () => ({ targetFiles: 'config/app.json\n../../outside/victim.yaml' }),
    files: CONFIG,
    names: () => ["'targetFiles'", 'outside/victim.yaml'],
  },
  {
    name: 'targetFiles with a placeholder no secret fills',
    inputs: () => ({ targetFiles: 'config/*.json' }),
    files: { ...CONFIG, 'config/extra.json': '{"user": "#{db-user}#"}\n' },
    names: () => ['config/extra.json', 'db-user'],
  },
]);

describe('InjectKeyVaultSecrets@1 bad inputs: clean failures, nothing changed', function () {
  this.timeout(180_000);
  let env: KeyVaultTestEnvironment;

  before(async () => {
    env = await startKeyVaultTestEnvironment(SEEDS);
  });
  after(async () => {
    printTimings('InjectKeyVaultSecrets@1');
    disposeTaskRuns();
    removeCaseWorkspaces();
    await env?.stop();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const ws = caseWorkspace(caseFiles(c, env));
      const inputs: Record<string, string> = {
        azureSubscription: CONNECTION_ID,
        keyVaultName: env.vault.url,
        secrets: 'db-password',
        ...c.inputs(env),
      };
      const endpoints: Record<string, EndpointSpec> = {};
      if (inputs['azureSubscription'] === CONNECTION_ID) {
        const wrong = c.name.includes('wrong client secret');
        const endpoint = env.endpoint;
        endpoints[CONNECTION_ID] = wrong
          ? { ...endpoint, parameters: { ...endpoint.parameters, serviceprincipalkey: WRONG_CLIENT_SECRET } }
          : endpoint;
      }
      const run = await expectCleanFailure(c.name, c.names(env), ws, [], () =>
        runTask({
          task: { shipped: 'InjectKeyVaultSecretsV1' },
          inputs,
          endpoints,
          env: env.env,
          variables: ws.variables,
          debug: true,
          secrets: [...SEEDS.map((s) => s.value), env.clientSecret],
        }),
      );
      assert.deepEqual(Object.keys(run.variables), [], 'a failed run set variables');
    });
  }
});
