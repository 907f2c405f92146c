// DeployHelmChart@1 bad-input corpus (see badInputCases.ts) with real Helm 3 against the Kubernetes
// API emulator: every case fails cleanly, names the input or file, writes nothing to the cluster
// and leaves every file as it was.
import { randomUUID } from 'node:crypto';
import { type KubernetesEmulator, startKubernetesEmulator } from '../emulators/kubernetes';
import { K8S_CONNECTION, RUN_VARIABLES, kubernetesEndpoint } from '../tasks/DeployHelmChart/deployRun';
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

/** Kubernetes connections a case can name: a ServiceAccount one with a wrong token, one on an unknown host. */
const WRONG_TOKEN = '2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f';
const FAR_CLUSTER = '3d4e5f6a-7b8c-4d9e-8f1a-2b3c4d5e6f7a';

interface Ctx {
  readonly k8s: KubernetesEmulator;
  /** Every connection a case may name, by id. */
  readonly connections: Record<string, EndpointSpec>;
}

/** A password a user wrote into repositoryUrl: refused, and never printed, not even in the debug log. */
const URL_PASSWORD = 'url-Pass-8817';

const CASES = cases<Ctx>([
  {
    name: 'connectionType not a choice',
    inputs: () => ({ connectionType: 'cluster' }),
    names: () => ["'connectionType'", 'kubernetesServiceConnection, azureResourceManager, kubeconfig'],
  },
  {
    name: 'empty kubernetesServiceConnection',
    inputs: () => ({ kubernetesServiceConnection: '' }),
    names: () => ["'kubernetesServiceConnection'"],
  },
  {
    name: 'kubernetesServiceConnection naming no connection',
    inputs: () => ({ kubernetesServiceConnection: randomUUID() }),
    names: () => ["'kubernetesServiceConnection'"],
  },
  {
    name: 'kubernetesServiceConnection with a wrong token',
    inputs: () => ({ kubernetesServiceConnection: WRONG_TOKEN }),
    names: () => [`Kubernetes service connection '${WRONG_TOKEN}'`, 'credentials'],
  },
  {
    name: 'kubernetesServiceConnection on an unknown host',
    inputs: () => ({ kubernetesServiceConnection: FAR_CLUSTER }),
    names: () => [`api.${UNKNOWN_HOST}`],
  },
  {
    name: 'kubeconfig file that does not exist',
    inputs: () => ({ connectionType: 'kubeconfig', kubeconfig: 'missing/config' }),
    names: () => ['missing/config'],
  },
  {
    name: 'kubeconfig file that is not YAML',
    inputs: () => ({ connectionType: 'kubeconfig', kubeconfig: 'kube/config' }),
    files: { ...chartFiles(), 'kube/config': 'apiVersion: v1\nclusters: [\n  - {name: broken\n' },
    names: () => ['kube/config'],
  },
  {
    name: 'empty azureResourceGroup',
    inputs: () => ({ connectionType: 'azureResourceManager', azureSubscription: AZURE_CONNECTION }),
    names: () => ["'azureResourceGroup'"],
  },
  {
    name: 'action not a choice',
    inputs: () => ({ action: 'install' }),
    names: () => ["'action'", 'upgrade, rollback, uninstall'],
  },
  { name: 'empty chart', inputs: () => ({ chart: '' }), names: () => ["'chart'"] },
  {
    name: 'chart folder without Chart.yaml',
    inputs: () => ({ chart: 'charts/empty' }),
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
    name: 'chart path that does not exist',
    inputs: () => ({ chart: 'charts/nowhere' }),
    names: () => ["'chart'", 'charts/nowhere'],
  },
  { name: 'chart oci:// without a host', inputs: () => ({ chart: 'oci://' }), names: () => ["'chart'"] },
  {
    name: 'chart oci:// on an unknown host',
    inputs: () => ({ chart: `oci://${UNKNOWN_HOST}/charts/workloads`, chartVersion: '1.0.0' }),
    names: () => [UNKNOWN_HOST],
  },
  {
    name: 'repositoryUrl not a URL',
    inputs: () => ({ chart: 'workloads', repositoryUrl: 'not a url' }),
    names: () => ["'repositoryUrl'"],
  },
  {
    name: 'repositoryUrl with credentials',
    inputs: () => ({
      chart: 'workloads',
      repositoryUrl: `https://deployer:${URL_PASSWORD}@charts.example.net/`,
    }),
    names: () => ["'repositoryUrl'"],
  },
  { name: 'empty releaseName', inputs: () => ({ releaseName: '' }), names: () => ["'releaseName'"] },
  {
    name: 'releaseName with upper case and underscore',
    inputs: () => ({ releaseName: 'Shop_Web' }),
    names: () => ["'releaseName'", 'Shop_Web'],
  },
  { name: 'releaseName of 100 KiB', inputs: () => ({ releaseName: HUGE }), names: () => ["'releaseName'"] },
  {
    name: 'values line without =',
    inputs: () => ({ values: 'replicas=2\nimage.tag' }),
    names: () => ["Line 2 of 'values'"],
  },
  {
    name: 'values key with an empty part',
    inputs: () => ({ values: 'image..tag=1' }),
    names: () => ["'values'", 'image..tag'],
  },
  {
    name: 'values index that is not a number',
    inputs: () => ({ values: 'hosts[0]=a\nhosts[first]=b' }),
    names: () => ["Line 2 of 'values'", 'invalid syntax'],
  },
  {
    name: 'valueTypes not a typing',
    inputs: () => ({ values: 'a=1', valueTypes: 'yaml' }),
    names: () => ["'valueTypes'", 'set, string, json'],
  },
  {
    name: 'valueFiles naming a missing file',
    inputs: () => ({ valueFiles: 'env/missing.yaml' }),
    names: () => ['env/missing.yaml'],
  },
  {
    name: 'valueFiles that do not parse',
    inputs: () => ({ valueFiles: 'env/prod.yaml' }),
    files: () => ({ ...chartFiles(), 'env/prod.yaml': 'replicas: [2\nimage: {tag: 1\n' }),
    names: () => ['env/prod.yaml'],
  },
  {
    name: 'revision not a number',
    inputs: () => ({ action: 'rollback', revision: 'previous' }),
    names: () => ["'revision'"],
  },
  { name: 'timeout not a duration', inputs: () => ({ timeout: 'forever' }), names: () => ["'timeout'"] },
  {
    name: 'historyMax negative',
    inputs: () => ({ historyMax: '-1' }),
    names: () => ["'historyMax'", '0 to 10000'],
  },
  {
    name: 'serverSideApply not a choice',
    inputs: () => ({ serverSideApply: 'maybe' }),
    names: () => ["'serverSideApply'", 'auto, true, false'],
  },
  {
    name: 'forceConflicts on Helm 3',
    inputs: () => ({ forceConflicts: 'true' }),
    names: () => ["'forceConflicts: true'", 'needs Helm 4'],
  },
  {
    name: 'diff without a chart',
    inputs: () => ({ action: 'diff', chart: '' }),
    names: () => ["'chart'", 'diff'],
  },
  {
    name: 'arguments setting the kubeconfig',
    inputs: () => ({ arguments: '--kubeconfig /etc/other' }),
    names: () => ["'arguments'", '--kubeconfig'],
  },
  {
    name: 'arguments with an unclosed quote',
    inputs: () => ({ arguments: '--labels "team=shop' }),
    names: () => ["'arguments'"],
  },
  { name: "atomic 'yes'", inputs: () => ({ atomic: 'yes' }), names: () => ["'atomic'"] },
  { name: "wait 'no'", inputs: () => ({ wait: 'no' }), names: () => ["'wait'"] },
  {
    name: "createNamespace 'y'",
    inputs: () => ({ createNamespace: 'y' }),
    names: () => ["'createNamespace'"],
  },
  {
    name: 'verifyImages not a choice',
    inputs: () => ({ verifyImages: 'yes' }),
    names: () => ["'verifyImages'", 'none, pinned, signed'],
  },
  {
    name: 'verifyImages signed without a trust policy',
    inputs: () => ({ verifyImages: 'signed' }),
    names: () => ["'verifyImages'", "'verifySignatures'"],
  },
  {
    name: 'verifySignatures with verifyImages pinned',
    inputs: () => ({ verifyImages: 'pinned', verifySignatures: 'notation', notationCertificates: 'x.pem' }),
    names: () => ["'verifySignatures'", "'verifyImages'"],
  },
  {
    name: 'verifyImages on a rollback',
    inputs: () => ({ action: 'rollback', verifyImages: 'pinned' }),
    names: () => ["'verifyImages'", 'rollback'],
  },
  {
    name: 'postRenderer that does not exist',
    inputs: () => ({ postRenderer: 'tools/missing-renderer' }),
    names: () => ['tools/missing-renderer'],
  },
]);

describe('DeployHelmChart@1 bad inputs: clean failures, nothing changed', function () {
  this.timeout(240_000);
  let k8s: KubernetesEmulator;

  before(async () => {
    k8s = await startKubernetesEmulator({ readyDelayMs: 50 });
  });
  after(async () => {
    printTimings('DeployHelmChart@1');
    disposeTaskRuns();
    removeCaseWorkspaces();
    await k8s?.stop();
  });

  /** What a failed run must not have changed in the cluster: every write request and every object. */
  const clusterState = () => ({
    writes: k8s.requests().filter((r) => !['GET', 'HEAD'].includes(r.method)).length,
    objects: ['Namespace', 'Secret', 'ConfigMap'].map((kind) => k8s.list('v1', kind)),
    workloads: ['Deployment', 'StatefulSet', 'DaemonSet'].map((kind) => k8s.list('apps/v1', kind)),
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const cluster = { url: k8s.url, caPem: k8s.caPem, kubeconfig: () => '' };
      const ctx: Ctx = {
        k8s,
        connections: {
          [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig'),
          [WRONG_TOKEN]: kubernetesEndpoint(
            { ...cluster, token: 'bad-inputs-wrong-token-5521' },
            'ServiceAccount',
          ),
          [FAR_CLUSTER]: kubernetesEndpoint(
            { ...cluster, url: `https://api.${UNKNOWN_HOST}:6443`, token: k8s.token },
            'ServiceAccount',
          ),
          [AZURE_CONNECTION]: AZURE_ENDPOINT,
        },
      };
      const ws = caseWorkspace(c.files ? caseFiles(c, ctx) : chartFiles());
      const inputs: Record<string, string> = {
        kubernetesServiceConnection: K8S_CONNECTION,
        chart: CHART,
        releaseName: 'shop',
        namespace: 'bad-inputs',
        helmPath: toolPath('HELM3_BIN'),
        ...c.inputs(ctx),
      };
      const named = new Set([inputs['kubernetesServiceConnection'], inputs['azureSubscription']]);
      const endpoints = Object.fromEntries(Object.entries(ctx.connections).filter(([id]) => named.has(id)));
      await expectCleanFailure(
        c.name,
        c.names(ctx),
        ws,
        [],
        () =>
          runTask({
            task: { shipped: 'DeployHelmChartV1' },
            inputs,
            endpoints,
            variables: { ...RUN_VARIABLES, ...ws.variables },
            debug: true,
            secrets: [URL_PASSWORD],
            timeoutMs: 90_000,
          }),
        clusterState,
      );
    });
  }
});
