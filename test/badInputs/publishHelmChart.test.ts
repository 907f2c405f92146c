// PublishHelmChart@1 bad-input corpus (see badInputCases.ts) with real Helm 3 against a basic-auth
// registry: every case fails cleanly, names the input or file, pushes nothing and leaves every
// file as it was.
import { randomUUID } from 'node:crypto';
import { type RegistryFixture, type RegistryUser, startRegistry } from '../emulators/registry';
import { registryConnection } from '../tasks/PromoteImage/promoteRun';
import { type EndpointSpec, disposeTaskRuns, runTask } from '../support/taskRunner';
import { toolPath } from '../support/tools';
import {
  AZURE_CONNECTION,
  AZURE_ENDPOINT,
  CHART,
  HUGE,
  UNKNOWN_HOST,
  caseFiles,
  caseWorkspace,
  cases,
  chartFiles,
  expectCleanFailure,
  printTimings,
  removeCaseWorkspaces,
} from './badInputCases';

interface Ctx {
  readonly reg: RegistryFixture;
  readonly connection: string;
}

const CASES = cases<Ctx>([
  { name: 'empty chartPath', inputs: () => ({ chartPath: '' }), names: () => ["'chartPath'"] },
  {
    name: 'chartPath that does not exist',
    inputs: () => ({ chartPath: 'charts/nowhere' }),
    names: () => ['charts/nowhere'],
  },
  {
    name: 'chartPath without Chart.yaml',
    inputs: () => ({ chartPath: 'charts/empty' }),
    files: { 'charts/empty/values.yaml': 'replicas: 1\n' },
    names: () => ['charts/empty', 'Chart.yaml'],
  },
  {
    name: 'Chart.yaml that does not parse',
    inputs: () => ({}),
    files: () => chartFiles({ 'Chart.yaml': 'apiVersion: v2\nname: [workloads\nversion: 1.0.0\n' }),
    names: () => ['Chart.yaml'],
  },
  {
    name: 'Chart.yaml without a name',
    inputs: () => ({}),
    files: () => chartFiles({ 'Chart.yaml': 'apiVersion: v2\nversion: 1.0.0\n' }),
    names: () => ['Chart.yaml'],
  },
  { name: 'empty registry', inputs: () => ({ registry: '' }), names: () => ["'registry'"] },
  {
    name: 'registry over https:// instead of oci://',
    inputs: (c) => ({ registry: `https://${c.reg.host}/charts` }),
    names: () => ["'registry'"],
  },
  {
    name: 'registry oci:// without a host',
    inputs: () => ({ registry: 'oci://' }),
    names: () => ["'registry'"],
  },
  {
    name: 'registry with an upper-case path',
    inputs: (c) => ({ registry: `oci://${c.reg.host}/Charts` }),
    names: () => ["'registry'"],
  },
  {
    name: 'registry of 100 KiB',
    inputs: () => ({ registry: `oci://${HUGE}/charts` }),
    names: () => ['the chart registry is xxx'],
  },
  {
    name: 'registry on an unknown host',
    inputs: () => ({ registry: `oci://${UNKNOWN_HOST}/charts`, registryConnection: '' }),
    names: () => [UNKNOWN_HOST],
  },
  {
    name: 'registryConnection with a wrong password',
    inputs: () => ({}),
    names: (c) => [c.reg.host],
  },
  {
    name: 'registryConnection naming no connection',
    inputs: () => ({ registryConnection: randomUUID() }),
    names: () => ["'registryConnection'"],
  },
  {
    name: 'registryConnection and azureSubscription both',
    inputs: () => ({ azureSubscription: AZURE_CONNECTION }),
    names: () => ["'registryConnection'", "'azureSubscription'"],
  },
  { name: 'version not SemVer', inputs: () => ({ version: '1..2' }), names: () => ["'version'", '1..2'] },
  {
    name: 'no version and no release branch',
    inputs: () => ({ version: '' }),
    names: () => ["'version'"],
  },
  { name: 'version of 100 KiB', inputs: () => ({ version: HUGE }), names: () => ["'version'"] },
  {
    name: "updateDependencies 'yes'",
    inputs: () => ({ updateDependencies: 'yes' }),
    names: () => ["'updateDependencies'"],
  },
  { name: "overwrite 'no!'", inputs: () => ({ overwrite: 'no!' }), names: () => ["'overwrite'"] },
]);

describe('PublishHelmChart@1 bad inputs: clean failures, nothing changed', function () {
  this.timeout(240_000);
  const user: RegistryUser = { username: 'chart-pusher', password: 'pusher-Right-pass-1', access: {} };
  const wrong = 'pusher-Wrong-pass-2';
  let ctx: Ctx;

  before(async () => {
    ctx = { reg: await startRegistry({ auth: 'basic', users: [user] }), connection: randomUUID() };
  });
  after(async () => {
    printTimings('PublishHelmChart@1');
    disposeTaskRuns();
    removeCaseWorkspaces();
    await ctx?.reg.stop();
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const ws = caseWorkspace(c.files ? caseFiles(c, ctx) : chartFiles());
      const inputs: Record<string, string> = {
        chartPath: CHART,
        registry: `oci://${ctx.reg.host}/charts`,
        registryConnection: ctx.connection,
        version: '1.0.0',
        helmPath: toolPath('HELM3_BIN'),
        ...c.inputs(ctx),
      };
      const endpoints: Record<string, EndpointSpec> = {};
      if (inputs['azureSubscription'] === AZURE_CONNECTION) endpoints[AZURE_CONNECTION] = AZURE_ENDPOINT;
      if (inputs['registryConnection'] === ctx.connection)
        endpoints[ctx.connection] = registryConnection(
          ctx.reg,
          c.name.includes('wrong password') ? { ...user, password: wrong } : user,
        );
      await expectCleanFailure(c.name, c.names(ctx), ws, [ctx.reg], () =>
        runTask({
          task: { shipped: 'PublishHelmChartV1' },
          inputs,
          endpoints,
          variables: ws.variables,
          debug: true,
          secrets: [user.password],
          timeoutMs: 90_000,
        }),
      );
    });
  }
});
