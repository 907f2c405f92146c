// DeployHelmChart@1 reaching the cluster every way it can: Kubernetes service connections of each
// authorization type, a kubeconfig file, AKS credentials through Azure Resource Manager (an ARM
// endpoint emulator, tokens from the Entra ID emulator); charts from an OCI registry; the user's
// post-renderer and extra arguments. Real Helm 4 (Helm 3 where the Helm version matters).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import {
  SUBSCRIPTION,
  TENANT,
  endpointOf,
  ids,
  startAzureTestEnvironment,
  type AzureTestEnvironment,
} from '../../support/azureEnvironment';
import { startArmEmulator, type ArmEmulator } from '../../emulators/armEmulator';
import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { toolPath } from '../../support/tools';
import {
  DEFAULT_CAUSE,
  K8S_CONNECTION,
  REGISTRY_CONNECTION,
  assertSucceeded,
  changeCauseOf,
  deploy,
  disposeTaskRuns,
  kubernetesEndpoint,
} from './deployRun';
import {
  copyChart,
  fixtureChart,
  helmCommand,
  makeTempDir,
  removeTempDirs,
} from '../../support/helmUnderTest';

const AKS_PATH =
  '/subscriptions/c0ffee00-1111-2222-3333-444455556666/resourceGroups/rg-shop/providers/Microsoft.ContainerService/managedClusters/aks-shop/listClusterUserCredential';

describe('DeployHelmChart@1 task: cluster connections, OCI charts, post-renderer and arguments', function () {
  this.timeout(240_000);
  let k8s: KubernetesEmulator;
  let azure: AzureTestEnvironment;
  let arm: ArmEmulator;
  let registry: RegistryFixture;
  const helm4 = () => toolPath('HELM4_BIN');
  const stored = (namespace: string, name: string) => k8s.object('apps/v1', 'Deployment', namespace, name);

  before(async () => {
    [k8s, azure, registry] = await Promise.all([
      startKubernetesEmulator({ readyDelayMs: 50 }),
      startAzureTestEnvironment(),
      startRegistry({ auth: 'basic' }),
    ]);
    arm = await startArmEmulator({
      subscriptions: [
        { id: SUBSCRIPTION, resourceGroups: [{ name: 'rg-shop', managedClusters: ['aks-shop'] }] },
      ],
      authorized: (bearer) => azure.entra.issuedTokens.includes(bearer),
      kubeconfig: () => k8s.kubeconfig(),
    });
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    await Promise.all([k8s?.stop(), azure?.stop(), arm?.stop(), registry?.stop()]);
  });

  it('ServiceAccount connection: API server URL, base64 token and CA certificate', async () => {
    const run = await deploy({
      helmBin: helm4(),
      endpoints: { [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'ServiceAccount') },
      inputs: {
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: 'sa',
        namespace: 'sa-ns',
        chart: fixtureChart('workloads'),
      },
      secrets: [k8s.token],
    });
    assertSucceeded(run);
    assert.equal(changeCauseOf(stored('sa-ns', 'sa-web')), DEFAULT_CAUSE);
  });

  it("AzureSubscription connection: its service account, and the connection's namespace by default", async () => {
    const run = await deploy({
      helmBin: toolPath('HELM3_BIN'),
      endpoints: { [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'AzureSubscription', { namespace: 'team' }) },
      inputs: {
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: 'sub',
        chart: fixtureChart('workloads'),
      },
      secrets: [k8s.token],
    });
    assertSucceeded(run);
    assert.equal(changeCauseOf(stored('team', 'sub-web')), DEFAULT_CAUSE);
  });

  it('kubeconfig file on the agent, used where it is', async () => {
    const file = path.join(makeTempDir('kubeconfig'), 'config');
    fs.writeFileSync(file, k8s.kubeconfig({ namespace: 'from-context' }), { mode: 0o600 });
    const run = await deploy({
      helmBin: helm4(),
      inputs: {
        connectionType: 'kubeconfig',
        kubeconfig: file,
        releaseName: 'file',
        chart: fixtureChart('workloads'),
      },
      secrets: [k8s.token],
    });
    assertSucceeded(run);
    assert.equal(changeCauseOf(stored('from-context', 'file-web')), DEFAULT_CAUSE);
  });

  it('AKS credentials through Azure Resource Manager with the AzureRM connection', async () => {
    const connection = 'e0e0e0e0-0000-4000-8000-0000000000aa';
    const before = arm.calls.length;
    const run = await deploy({
      helmBin: helm4(),
      endpoints: {
        [connection]: endpointOf(
          azure,
          connection,
          'ServicePrincipal',
          {
            serviceprincipalid: ids.secretApp,
            tenantid: TENANT,
            authenticationType: 'spnKey',
            serviceprincipalkey: azure.clientSecret,
          },
          { resourceManagerUrl: arm.url },
        ),
      },
      inputs: {
        connectionType: 'azureResourceManager',
        azureSubscription: connection,
        azureResourceGroup: 'rg-shop',
        kubernetesCluster: 'aks-shop',
        releaseName: 'aks',
        namespace: 'aks-ns',
        chart: fixtureChart('workloads'),
      },
      secrets: [k8s.token],
      env: { NODE_EXTRA_CA_CERTS: azure.entra.caFile },
    });
    assertSucceeded(run);
    assert.deepEqual(
      arm.calls.slice(before).map(({ method, path, authorized }) => ({ method, path, authorized })),
      [{ method: 'POST', path: AKS_PATH, authorized: true }],
    );
    assert.equal(changeCauseOf(stored('aks-ns', 'aks-web')), DEFAULT_CAUSE);
  });

  it('a chart from an OCI registry, signed in with the registry connection', async () => {
    const helm = helmCommand({ name: 'Helm 4', tool: 'HELM4_BIN', major: 4 });
    const out = makeTempDir('package');
    const packaged = await helm([
      'package',
      fixtureChart('workloads'),
      '--version',
      '4.5.6',
      '--destination',
      out,
    ]);
    assert.equal(packaged.code, 0, packaged.stderr);
    const login = await helm(
      ['registry', 'login', registry.host, '--username', 'admin', '--password-stdin', '--plain-http'],
      registry.admin.password,
    );
    assert.equal(login.code, 0, login.stderr);
    const pushed = await helm([
      'push',
      path.join(out, 'workloads-4.5.6.tgz'),
      `oci://${registry.host}/charts`,
      '--plain-http',
    ]);
    assert.equal(pushed.code, 0, pushed.stderr);
    const run = await deploy({
      helmBin: helm4(),
      endpoints: {
        [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig'),
        [REGISTRY_CONNECTION]: {
          url: `http://${registry.host}`,
          scheme: 'UsernamePassword',
          parameters: {
            registry: `http://${registry.host}`,
            username: 'admin',
            password: registry.admin.password,
          },
          data: { registrytype: 'Others' },
        },
      },
      inputs: {
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: 'oci',
        namespace: 'oci-ns',
        chart: `oci://${registry.host}/charts/workloads`,
        chartVersion: '4.5.6',
        registryConnection: REGISTRY_CONNECTION,
      },
    });
    assertSucceeded(run);
    assert.ok(run.summaries.some((s) => s.content.includes('workloads-4.5.6')));
    assert.equal(changeCauseOf(stored('oci-ns', 'oci-web')), DEFAULT_CAUSE);
  });

  for (const [name, tool] of [
    ['Helm 3', 'HELM3_BIN'],
    ['Helm 4', 'HELM4_BIN'],
  ] as const) {
    it(`${name}: the user's post-renderer runs first, extra arguments are appended`, async () => {
      const namespace = `pr-${tool === 'HELM3_BIN' ? 3 : 4}`;
      const run = await deploy({
        helmBin: toolPath(tool),
        endpoints: { [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig') },
        inputs: {
          kubernetesServiceConnection: K8S_CONNECTION,
          releaseName: 'pr',
          namespace,
          chart: copyChart('workloads'),
          postRenderer: fixtureChart('post-renderers/add-canary.js'),
          postRendererArgs: namespace,
          arguments: `--set "greeting=from arguments"`,
          changeCause: 'canary check',
        },
      });
      assertSucceeded(run);
      assert.equal(
        changeCauseOf(stored(namespace, 'canary')),
        'canary check',
        'the Deployment the user post-renderer added',
      );
      assert.equal(changeCauseOf(stored(namespace, 'pr-web')), 'canary check');
      const configMap = k8s.object('v1', 'ConfigMap', namespace, 'pr-config') as {
        data: Record<string, string>;
      };
      assert.equal(configMap.data['GREETING'], 'from arguments');
    });
  }

  it('refuses a post-renderer in the extra arguments, naming the input to use', async () => {
    const run = await deploy({
      helmBin: helm4(),
      endpoints: { [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig') },
      inputs: {
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: 'bad',
        chart: fixtureChart('workloads'),
        arguments: '--post-renderer kustomize',
      },
    });
    assert.equal(run.agentResult, 'Failed');
    assert.match(run.message ?? '', /must not set --post-renderer: give the executable in 'postRenderer'/);
  });
});
