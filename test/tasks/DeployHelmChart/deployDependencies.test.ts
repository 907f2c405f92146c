// DeployHelmChart@1 with `dependencyUpdate` on a chart folder whose dependency lives in a private
// OCI registry (the CNCF registry fixture with basic auth): the task signs Helm in with the registry
// connection and runs `helm dependency update` before the upgrade, with real Helm 3 and Helm 4
// against the Kubernetes API emulator. The `values` lines, typed as --set types them, reach the
// subchart through the private values file (a secret among them is never printed).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import type { EndpointSpec } from '../../support/taskRunner';
import { toolPath } from '../../support/tools';
import {
  TENANT,
  endpointOf,
  ids,
  startAzureTestEnvironment,
  type AzureTestEnvironment,
} from '../../support/azureEnvironment';
import {
  K8S_CONNECTION,
  REGISTRY_CONNECTION,
  assertSucceeded,
  deploy,
  disposeTaskRuns,
  kubernetesEndpoint,
} from './deployRun';
import {
  HELMS,
  copyChart,
  fixtureChart,
  helmCommand,
  makeTempDir,
  removeTempDirs,
} from '../../support/helmUnderTest';

const API_KEY = 'k3y,with "quotes" and spaces';
const AZURE_CONNECTION = 'e0e0e0e0-0000-4000-8000-0000000000de';

describe('DeployHelmChart@1 task: dependency update for chart folders', function () {
  this.timeout(240_000);
  let k8s: KubernetesEmulator;
  let registry: RegistryFixture;
  let registryEndpoint: EndpointSpec;
  /** An ACR-like registry (token auth, Entra ID exchange) holding the same dependency. */
  let acr: RegistryFixture;
  let azure: AzureTestEnvironment;

  before(async () => {
    azure = await startAzureTestEnvironment();
    [k8s, registry, acr] = await Promise.all([
      startKubernetesEmulator({ readyDelayMs: 50 }),
      startRegistry({ auth: 'basic' }),
      startRegistry({
        auth: 'token',
        users: [{ username: 'spn-reader', password: 'unused', access: { 'charts/*': ['pull', 'push'] } }],
        entraTokens: (token) => (azure.entra.issuedTokens.includes(token) ? 'spn-reader' : undefined),
      }),
    ]);
    const helm = helmCommand(HELMS[1]!);
    const out = makeTempDir('dep-package');
    const packaged = await helm(['package', fixtureChart('workloads'), '--destination', out]);
    assert.equal(packaged.code, 0, packaged.stderr);
    for (const [host, username, password] of [
      [registry.host, 'admin', registry.admin.password],
      [acr.host, 'spn-reader', 'unused'],
    ] as const) {
      const login = await helm(
        ['registry', 'login', host, '--username', username, '--password-stdin', '--plain-http'],
        password,
      );
      assert.equal(login.code, 0, login.stderr);
      const pushed = await helm([
        'push',
        path.join(out, 'workloads-0.1.0.tgz'),
        `oci://${host}/charts`,
        '--plain-http',
      ]);
      assert.equal(pushed.code, 0, pushed.stderr);
    }
    registryEndpoint = {
      url: `http://${registry.host}`,
      scheme: 'UsernamePassword',
      parameters: {
        registry: `http://${registry.host}`,
        username: 'admin',
        password: registry.admin.password,
      },
      data: { registrytype: 'Others' },
    };
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    await Promise.all([k8s?.stop(), registry?.stop(), acr?.stop(), azure?.stop()]);
  });

  /** The umbrella chart depending on workloads from the private registry (or another host). */
  const umbrella = (host = registry.host) =>
    copyChart('umbrella', {
      'Chart.yaml': [
        'apiVersion: v2',
        'name: umbrella',
        'version: 0.1.0',
        'dependencies:',
        '  - name: workloads',
        '    version: 0.1.0',
        `    repository: oci://${host}/charts`,
        '',
      ].join('\n'),
    });

  const run = (helmBin: string, chart: string, release: string, inputs: Record<string, string>) =>
    deploy({
      helmBin,
      endpoints: {
        [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig'),
        [REGISTRY_CONNECTION]: registryEndpoint,
      },
      inputs: {
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: release,
        namespace: 'deps',
        chart,
        registryConnection: REGISTRY_CONNECTION,
        ...inputs,
      },
      secretVariables: { apiKey: API_KEY },
    });

  for (const helm of HELMS) {
    it(`${helm.name}: signs in, fetches the OCI dependency and deploys it with typed values`, async () => {
      const chart = umbrella();
      const release = `deps${helm.major}`;
      const result = await run(toolPath(helm.tool), chart, release, {
        dependencyUpdate: 'true',
        values: [
          'workloads.greeting=hello, world',
          'workloads.config.replicas=3',
          'workloads.config.hosts={a.example,b.example}',
          'workloads.config.ports[1]=443',
          'workloads.config.apiKey=$(apiKey)',
        ].join('\n'),
      });
      assertSucceeded(result);
      assert.ok(
        fs.existsSync(path.join(chart, 'charts', 'workloads-0.1.0.tgz')),
        'charts/ holds the dependency',
      );
      assert.ok(fs.existsSync(path.join(chart, 'Chart.lock')), 'Chart.lock written');
      assert.ok(
        result.stdout.includes(`Dependencies from ${registry.host}: signed in with the registry connection.`),
      );
      assert.ok(k8s.object('apps/v1', 'Deployment', 'deps', `${release}-web`), 'the dependency was deployed');
      const config = k8s.object('v1', 'ConfigMap', 'deps', `${release}-config`) as {
        data: { GREETING: string; CONFIG_JSON: string };
      };
      assert.equal(config.data.GREETING, 'hello, world');
      assert.deepEqual(JSON.parse(config.data.CONFIG_JSON), {
        replicas: 3,
        hosts: ['a.example', 'b.example'],
        ports: [null, 443],
        apiKey: API_KEY,
      });
    });
  }

  it("a dependency on another registry than the connection's gets the Azure subscription's Entra ID sign-in", async () => {
    const result = await deploy({
      helmBin: toolPath('HELM4_BIN'),
      endpoints: {
        [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig'),
        [REGISTRY_CONNECTION]: registryEndpoint,
        [AZURE_CONNECTION]: endpointOf(azure, AZURE_CONNECTION, 'ServicePrincipal', {
          serviceprincipalid: ids.secretApp,
          tenantid: TENANT,
          authenticationType: 'spnKey',
          serviceprincipalkey: azure.clientSecret,
        }),
      },
      inputs: {
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: 'acrdeps',
        namespace: 'deps',
        chart: umbrella(acr.host),
        registryConnection: REGISTRY_CONNECTION,
        registryAzureSubscription: AZURE_CONNECTION,
        insecureRegistries: acr.host,
        dependencyUpdate: 'true',
      },
      env: { NODE_EXTRA_CA_CERTS: azure.entra.caFile },
    });
    assertSucceeded(result);
    assert.ok(
      result.stdout.includes(
        `Dependencies from ${acr.host}: signed in with the Azure subscription (Entra ID).`,
      ),
      result.stdout.slice(-2000),
    );
    const exchanges = (acr.tokenServer?.requests() ?? []).filter((r) => r.endpoint === 'exchange');
    assert.ok(
      exchanges.some((e) => e.user === 'spn-reader' && e.status === 200),
      'no Entra ID exchange',
    );
    assert.ok(k8s.object('apps/v1', 'Deployment', 'deps', 'acrdeps-web'), 'the dependency was deployed');
  });

  it('dependencies on plain-HTTP and HTTPS registries are refused before anything signs in', async () => {
    const chart = copyChart('umbrella', {
      'Chart.yaml': [
        'apiVersion: v2',
        'name: umbrella',
        'version: 0.1.0',
        'dependencies:',
        '  - name: workloads',
        '    version: 0.1.0',
        `    repository: oci://${registry.host}/charts`,
        '  - name: other',
        '    version: 0.1.0',
        '    repository: oci://charts.example.com/library',
        '',
      ].join('\n'),
    });
    const result = await run(toolPath('HELM4_BIN'), chart, 'mixed', { dependencyUpdate: 'true' });
    assert.equal(result.agentResult, 'Failed');
    assert.match(
      result.message ?? '',
      /plain-HTTP \(127\.0\.0\.1:\d+\) and HTTPS registries \(charts\.example\.com\)/,
    );
    assert.doesNotMatch(result.stdout, /Dependencies from/);
    assert.equal(
      result.debug.filter((l) => l.startsWith('helm registry login')).length,
      0,
      'no registry login before the refusal',
    );
  });

  it('without dependencyUpdate, Helm refuses the folder for its missing dependency', async () => {
    const result = await run(toolPath('HELM4_BIN'), umbrella(), 'nodeps', {});
    assert.equal(result.agentResult, 'Failed');
    assert.match(result.message ?? '', /missing in charts\/ directory|dependencies/i);
    assert.equal(k8s.object('apps/v1', 'Deployment', 'deps', 'nodeps-web'), undefined);
  });
});
