// A chart folder from the repository may hold symbolic links; Helm follows them when it packages,
// renders or updates dependencies, so a link leading out of the chart would read a file of the
// agent into the published chart or the cluster, or overwrite one. Both Helm tasks refuse it.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startKubernetesEmulator, type KubernetesEmulator } from '../emulators/kubernetes';
import { type RegistryFixture, startRegistry } from '../emulators/registry';
import { K8S_CONNECTION, deploy, kubernetesEndpoint } from '../tasks/DeployHelmChart/deployRun';
import { copyChart, removeTempDirs } from '../support/helmUnderTest';
import { disposeTaskRuns, runTask } from '../support/taskRunner';
import { toolPath } from '../support/tools';

describe('chart folders: symbolic links leading out of the chart are refused', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  let k8s: KubernetesEmulator;
  let outside: string;
  before(async () => {
    [reg, k8s] = await Promise.all([startRegistry(), startKubernetesEmulator({ readyDelayMs: 20 })]);
    outside = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-outside-'));
    fs.writeFileSync(path.join(outside, 'agent-secret.yaml'), 'token: agent-local-file\n');
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    fs.rmSync(outside, { recursive: true, force: true });
    await Promise.all([reg?.stop(), k8s?.stop()]);
  });

  /** A chart whose templates/ holds a link to a file outside it, and one (allowed) to a file inside. */
  function chartWithLinks(): string {
    const chart = copyChart('workloads');
    fs.symlinkSync(path.join(outside, 'agent-secret.yaml'), path.join(chart, 'templates', 'leak.yaml'));
    fs.symlinkSync('../values.yaml', path.join(chart, 'templates', 'inside.txt'));
    return chart;
  }

  it('PublishHelmChart fails naming the link and its target, and pushes nothing', async () => {
    const run = await runTask({
      task: { shipped: 'PublishHelmChartV1' },
      inputs: {
        chartPath: chartWithLinks(),
        registry: `oci://${reg.host}/helm`,
        version: '1.0.0',
        helmPath: toolPath('HELM4_BIN'),
      },
    });
    assert.equal(run.agentResult, 'Failed');
    assert.match(run.message ?? '', /'chartPath'.*1 symbolic link/s);
    assert.match(run.message ?? '', /templates\/leak\.yaml -> .*agent-secret\.yaml/);
    assert.ok(!(run.message ?? '').includes('inside.txt'), 'a link inside the chart is fine');
    const writes = (await reg.requests()).filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    assert.deepEqual(writes, [], 'nothing was pushed');
  });

  it('DeployHelmChart fails naming the link, and nothing reaches the cluster', async () => {
    const run = await deploy({
      helmBin: toolPath('HELM3_BIN'),
      endpoints: { [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig') },
      inputs: {
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: 'links',
        namespace: 'links',
        chart: chartWithLinks(),
      },
    });
    assert.equal(run.agentResult, 'Failed');
    assert.match(run.message ?? '', /'chart'.*templates\/leak\.yaml -> .*agent-secret\.yaml/s);
    assert.equal(k8s.object('v1', 'ConfigMap', 'links', 'links-config'), undefined, 'nothing deployed');
    const writes = k8s.requests().filter((r) => !['GET', 'HEAD'].includes(r.method));
    assert.deepEqual(writes, [], 'no write reached the cluster');
  });
});
