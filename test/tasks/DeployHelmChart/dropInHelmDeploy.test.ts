// Drop-in: HelmDeploy@1's documented YAML step (upgrade from a chart path with a Kubernetes service
// connection), pasted with the task name changed, runs DeployHelmChart@1 through the runner with
// real Helm 4 against the Kubernetes API emulator. The built-in's names are aliases resolved as the
// service resolves them, its choice values (`Kubernetes Service Connection`, `delete`) accepted.
// Left out of the pasted step: `chartType` (the chart input takes a name, URL or path alike) and
// `install: true` (DeployHelmChart always installs a missing release): undeclared inputs, which the
// runner refuses by name where the agent would silently drop them.
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { runTask } from '../../support/taskRunner';
import { toolPath } from '../../support/tools';
import { K8S_CONNECTION, assertSucceeded, deploy, disposeTaskRuns, kubernetesEndpoint } from './deployRun';
import { HELMS, copyChart, helmCommand, removeTempDirs } from '../../support/helmUnderTest';

function pastedStep(yaml: string): Record<string, string> {
  const [step] = YAML.parse(yaml) as [{ inputs: Record<string, string | boolean> }];
  return Object.fromEntries(Object.entries(step.inputs).map(([k, v]) => [k, String(v)]));
}

describe('DeployHelmChart@1: HelmDeploy@1 YAML as a drop-in', function () {
  this.timeout(180_000);
  let k8s: KubernetesEmulator;
  let chart: string;
  before(async () => {
    k8s = await startKubernetesEmulator({ readyDelayMs: 50 });
    chart = copyChart('workloads', { 'values-prod.yaml': 'greeting: from-value-file\n' });
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    await k8s?.stop();
  });

  const run = (inputs: Record<string, string>) =>
    deploy({
      helmBin: toolPath('HELM4_BIN'),
      endpoints: { [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig') },
      inputs,
      variables: { kubernetesServiceEndpoint: K8S_CONNECTION, chartFolder: chart },
      secrets: [k8s.token],
    });
  const configMap = () => k8s.object('v1', 'ConfigMap', 'drop-in', 'azuredevopsdemo-config');

  it('upgrade with chartPath, valueFile and waitForExecution; then delete uninstalls', async () => {
    const upgrade = await run(
      pastedStep(`
- task: DeployHelmChart@1 # was HelmDeploy@1
  displayName: Helm upgrade
  inputs:
    connectionType: Kubernetes Service Connection
    kubernetesServiceEndpoint: $(kubernetesServiceEndpoint)
    namespace: drop-in
    command: upgrade
    chartPath: $(chartFolder)
    releaseName: azuredevopsdemo
    valueFile: $(chartFolder)/values-prod.yaml
    waitForExecution: false
`),
    );
    assertSucceeded(upgrade);
    const data = (configMap() as { data?: Record<string, string> } | undefined)?.data;
    assert.equal(data?.['GREETING'], 'from-value-file');
    assert.equal(upgrade.variables['revision']?.value, '1');

    const removed = await run(
      pastedStep(`
- task: DeployHelmChart@1 # was HelmDeploy@1
  inputs:
    connectionType: Kubernetes Service Connection
    kubernetesServiceEndpoint: $(kubernetesServiceEndpoint)
    namespace: drop-in
    command: delete
    releaseName: azuredevopsdemo
`),
    );
    assertSucceeded(removed);
    assert.equal(configMap(), undefined);
  });

  // HelmDeploy@1's documented `overrideValues`: "key1=val1,key2=val2", or one per line (it joins the
  // non-empty lines with commas and passes them as one `--set`). Real Helm 4 given that very `--set`
  // is the oracle for what the release must hold.
  it('overrideValues means what it means in HelmDeploy@1: one --set, commas or new lines between assignments', async () => {
    const overrideValues = [
      'config.replicas=3,config.greeting=hello\\, world',
      'config.hosts={a.example,b.example},config.port=08080',
      '',
      'config.enabled=true,config.image.tag=1.2.3',
    ].join('\n');
    const upgrade = await run(
      pastedStep(`
- task: DeployHelmChart@1 # was HelmDeploy@1
  inputs:
    connectionType: Kubernetes Service Connection
    kubernetesServiceEndpoint: $(kubernetesServiceEndpoint)
    namespace: drop-in-override
    command: upgrade
    chartPath: $(chartFolder)
    releaseName: overrides
    overrideValues: ${JSON.stringify(overrideValues)}
    waitForExecution: false
`),
    );
    assertSucceeded(upgrade);
    const helm = HELMS.find((h) => h.name === 'Helm 4') ?? HELMS[0];
    assert.ok(helm);
    const oracle = await helmCommand(helm)([
      'template',
      'overrides',
      chart,
      '--set',
      overrideValues
        .split('\n')
        .filter((l) => l)
        .join(','),
    ]);
    assert.equal(oracle.code, 0, oracle.stderr);
    const helmConfig = /CONFIG_JSON: \|-\n\s+(.*)/.exec(oracle.stdout)?.[1];
    assert.ok(helmConfig, oracle.stdout);
    const data = (
      k8s.object('v1', 'ConfigMap', 'drop-in-override', 'overrides-config') as {
        data?: Record<string, string>;
      }
    )?.data;
    assert.deepEqual(JSON.parse(data?.['CONFIG_JSON'] ?? 'null'), JSON.parse(helmConfig));
    assert.deepEqual(JSON.parse(helmConfig), {
      replicas: 3,
      greeting: 'hello, world',
      hosts: ['a.example', 'b.example'],
      port: '08080',
      enabled: true,
      image: { tag: '1.2.3' },
    });
  });

  it('an overrideValues assignment without = fails naming the input and the assignment, never the text', async () => {
    const result = await run({
      kubernetesServiceEndpoint: K8S_CONNECTION,
      chartPath: chart,
      releaseName: 'x',
      overrideValues: 'a=1,s3cr3t-token',
    });
    assert.equal(result.agentResult, 'Failed');
    assert.match(result.message ?? '', /Assignment 2 of 'overrideValues' is not key=value/);
    assert.doesNotMatch(result.stdout, /s3cr3t-token/);
  });

  it('a HelmDeploy@1 command DeployHelmChart does not do fails naming the input and what it takes', async () => {
    const result = await run({
      kubernetesServiceEndpoint: K8S_CONNECTION,
      command: 'package',
      chartPath: chart,
      releaseName: 'x',
    });
    assert.equal(result.agentResult, 'Failed');
    assert.match(
      result.message ?? '',
      /Input 'action' must be one of upgrade, rollback, uninstall, diff; got 'package'/,
    );
  });

  it('an input with no counterpart is refused by the runner, naming it', async () => {
    await assert.rejects(
      runTask({
        task: { shipped: 'DeployHelmChartV1' },
        inputs: { chartType: 'FilePath', chartPath: chart, releaseName: 'x' },
      }),
      /input 'chartType' is not declared/,
    );
  });
});
