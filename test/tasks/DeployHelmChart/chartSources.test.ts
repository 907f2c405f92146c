// Charts from everywhere the tasks take them: PublishHelmChart@1 updating a chart's dependencies
// before packaging; DeployHelmChart@1 installing a packaged .tgz and a chart by name from an HTTP
// chart repository (a static server with an index.yaml made by helm repo index).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { archiveFiles } from '../../../tasks/common/helm/chartArchive';
import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { runTask } from '../../support/taskRunner';
import { toolPath } from '../../support/tools';
import {
  K8S_CONNECTION,
  assertSucceeded,
  changeCauseOf,
  deploy,
  disposeTaskRuns,
  kubernetesEndpoint,
} from './deployRun';
import {
  copyChartsTogether,
  fixtureChart,
  helmCommand,
  makeTempDir,
  removeTempDirs,
} from '../../support/helmUnderTest';

const helm4 = { name: 'Helm 4', tool: 'HELM4_BIN', major: 4 } as const;

describe('Chart sources: dependencies, packaged charts, chart repositories', function () {
  this.timeout(120_000);
  let k8s: KubernetesEmulator;
  let registry: RegistryFixture;
  let repoServer: http.Server;
  let repoUrl: string;

  before(async () => {
    [k8s, registry] = await Promise.all([startKubernetesEmulator({ readyDelayMs: 50 }), startRegistry()]);
    const repoDir = makeTempDir('chart-repo');
    const helm = helmCommand(helm4);
    for (const version of ['0.1.0', '0.2.0']) {
      const packaged = await helm([
        'package',
        fixtureChart('workloads'),
        '--version',
        version,
        '--destination',
        repoDir,
      ]);
      assert.equal(packaged.code, 0, packaged.stderr);
    }
    repoServer = http.createServer((req, res) => {
      const file = path.join(repoDir, path.basename(req.url ?? '/'));
      if (!fs.existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200).end(fs.readFileSync(file));
    });
    await new Promise<void>((resolve) => repoServer.listen(0, '127.0.0.1', resolve));
    repoUrl = `http://127.0.0.1:${(repoServer.address() as AddressInfo).port}`;
    const indexed = await helm(['repo', 'index', repoDir, '--url', repoUrl]);
    assert.equal(indexed.code, 0, indexed.stderr);
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    repoServer?.closeAllConnections();
    await new Promise<void>((resolve) => (repoServer ? repoServer.close(() => resolve()) : resolve()));
    await Promise.all([k8s?.stop(), registry?.stop()]);
  });

  it('PublishHelmChart@1 updates dependencies before packaging: the subchart is in the pushed chart', async () => {
    const charts = copyChartsTogether(['umbrella', 'workloads']);
    const run = await runTask({
      task: { shipped: 'PublishHelmChartV1' },
      inputs: {
        chartPath: path.join(charts, 'umbrella'),
        registry: `oci://${registry.host}/charts`,
        version: '2.0.0',
        helmPath: toolPath('HELM4_BIN'),
      },
    });
    assert.equal(run.agentResult, 'Succeeded', run.message);
    const dest = makeTempDir('pulled');
    const pulled = await helmCommand(helm4)([
      'pull',
      `oci://${registry.host}/charts/umbrella`,
      '--version',
      '2.0.0',
      '--plain-http',
      '--destination',
      dest,
    ]);
    assert.equal(pulled.code, 0, pulled.stderr);
    const names = archiveFiles(fs.readFileSync(path.join(dest, 'umbrella-2.0.0.tgz')), 'pulled').map(
      (f) => f.name,
    );
    assert.ok(names.includes('umbrella/Chart.lock'), names.join(', '));
    assert.ok(names.includes('umbrella/charts/workloads/templates/deployment.yaml'), names.join(', '));
  });

  it('DeployHelmChart@1 installs a packaged .tgz', async () => {
    const dest = makeTempDir('tgz');
    const packaged = await helmCommand(helm4)(['package', fixtureChart('workloads'), '--destination', dest]);
    assert.equal(packaged.code, 0, packaged.stderr);
    const run = await deploy({
      helmBin: toolPath('HELM3_BIN'),
      endpoints: { [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig') },
      inputs: {
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: 'tgz',
        namespace: 'tgz',
        chart: path.join(dest, 'workloads-0.1.0.tgz'),
        changeCause: 'from a package',
      },
    });
    assertSucceeded(run);
    assert.equal(changeCauseOf(k8s.object('apps/v1', 'Deployment', 'tgz', 'tgz-web')), 'from a package');
  });

  it('DeployHelmChart@1 installs a chart by name and version from a chart repository', async () => {
    const run = await deploy({
      helmBin: toolPath('HELM4_BIN'),
      endpoints: { [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig') },
      inputs: {
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: 'repo',
        namespace: 'repo',
        chart: 'team/workloads',
        repositoryUrl: repoUrl,
        chartVersion: '0.1.0',
      },
    });
    assertSucceeded(run);
    assert.ok(
      run.summaries.some((s) => s.content.includes('workloads-0.1.0')),
      'not the version asked for',
    );
    assert.ok(changeCauseOf(k8s.object('apps/v1', 'Deployment', 'repo', 'repo-web')));
  });
});
