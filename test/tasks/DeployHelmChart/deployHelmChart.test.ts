// DeployHelmChart@1 run as the agent runs it (packaged .vsix, System.Debug on, leak-checked), with
// real Helm 3 and Helm 4 against the Kubernetes API emulator: install, upgrade, roll back and
// uninstall a release; the stored workloads carry the change cause, helm history the description.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { toolPath } from '../../support/tools';
import {
  DEFAULT_CAUSE,
  K8S_CONNECTION,
  assertSucceeded,
  changeCauseOf,
  deploy,
  disposeTaskRuns,
  kubernetesEndpoint,
} from './deployRun';
import { HELMS, copyChart, helmCommand, makeTempDir, removeTempDirs } from '../../support/helmUnderTest';

const DB_PASSWORD = 'S3cr3t,with "quotes" and spaces';
const LISTED = 'a,b c,"d"';

describe('DeployHelmChart@1 task: real Helm against the Kubernetes API emulator', function () {
  this.timeout(240_000);
  let k8s: KubernetesEmulator;
  let kubeconfigFile: string;

  before(async () => {
    k8s = await startKubernetesEmulator({ readyDelayMs: 50, failWorkloads: ['broken-web'] });
    kubeconfigFile = path.join(makeTempDir('kubeconfig'), 'config');
    fs.writeFileSync(kubeconfigFile, k8s.kubeconfig(), { mode: 0o600 });
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    await k8s?.stop();
  });

  const stored = (kind: string, namespace: string, name: string) =>
    k8s.object(kind === 'ConfigMap' ? 'v1' : 'apps/v1', kind, namespace, name);

  for (const helm of HELMS) {
    describe(helm.name, () => {
      const release = `shop${helm.major}`;
      const namespace = `apps${helm.major}`;
      let bin: string;
      let chart: string;
      before(() => {
        bin = toolPath(helm.tool);
        chart = copyChart('workloads');
        fs.writeFileSync(
          path.join(chart, 'one.yaml'),
          'greeting: from-file-1\nconfig:\n  fromFile: one\n  greeting: file-1\n',
        );
        fs.writeFileSync(path.join(chart, 'two.yaml'), 'greeting: from-file-2\nconfig:\n  fromFile: two\n');
      });
      const endpoints = () => ({ [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig') });
      const base = () => ({ kubernetesServiceConnection: K8S_CONNECTION, releaseName: release, namespace });

      it('installs with the change cause on every workload and values that reach the chart but not the log', async () => {
        const run = await deploy({
          helmBin: bin,
          endpoints: endpoints(),
          inputs: {
            ...base(),
            chart,
            valueFiles: `${path.join(chart, 'one.yaml')}\n${path.join(chart, 'two.yaml')}`,
            values: `config.password=$(dbPassword)\nconfig.list=${LISTED}\nconfig.greeting=values line wins\nconfig.flag=true`,
          },
          secretVariables: { dbPassword: DB_PASSWORD },
          secrets: [LISTED, 'values line wins'],
        });
        assertSucceeded(run);
        assert.equal(run.variables['revision']?.value, '1');
        assert.equal(run.variables['status']?.value, 'deployed');
        assert.equal(run.variables['changeCause']?.value, DEFAULT_CAUSE);
        for (const [kind, name] of [
          ['Deployment', 'web'],
          ['StatefulSet', 'db'],
          ['DaemonSet', 'agent'],
        ] as const) {
          assert.equal(changeCauseOf(stored(kind, namespace, `${release}-${name}`)), DEFAULT_CAUSE, kind);
        }
        const configMap = stored('ConfigMap', namespace, `${release}-config`) as {
          data: Record<string, string>;
        };
        assert.equal(configMap.data['GREETING'], 'from-file-2');
        assert.deepEqual(JSON.parse(configMap.data['CONFIG_JSON'] ?? ''), {
          password: DB_PASSWORD,
          list: LISTED,
          greeting: 'values line wins',
          flag: true,
          fromFile: 'two',
        });
        const upgrade = run.debug.find((l) => l.startsWith('helm upgrade'));
        assert.ok(upgrade, 'the helm command line is not in the debug log');
        assert.match(upgrade, /--values=\S+values\.yaml/);
        assert.ok(!upgrade.includes('password=') && !upgrade.includes('--set'), upgrade);
        assert.match(
          run.stdout,
          /keys only\): config\.password, config\.list, config\.greeting, config\.flag/,
        );
        assert.deepEqual(
          fs.readdirSync(run.dirs.temp).filter((f) => f.startsWith('helm-')),
          [],
          'private folder left behind',
        );
        const summary = run.summaries.map((s) => s.content).join('\n');
        assert.match(
          summary,
          new RegExp(
            `\\| 1 \\| .* \\| deployed \\| workloads-0\\.1\\.0 \\| .* \\| ${DEFAULT_CAUSE.replace(/[().]/g, '\\$&')} \\|`,
          ),
        );
      });

      it('upgrades with a given change cause, recorded by helm history', async () => {
        const run = await deploy({
          helmBin: bin,
          endpoints: endpoints(),
          inputs: {
            ...base(),
            chart,
            changeCause: 'Hotfix: raise timeouts (INC-42)',
            atomic: 'false',
            historyMax: '5',
          },
        });
        assertSucceeded(run);
        assert.equal(run.variables['revision']?.value, '2');
        assert.equal(
          changeCauseOf(stored('Deployment', namespace, `${release}-web`)),
          'Hotfix: raise timeouts (INC-42)',
        );
        const history = await helmCommand(helm)([
          'history',
          release,
          '--namespace',
          namespace,
          '--kubeconfig',
          kubeconfigFile,
          '--output',
          'json',
        ]);
        assert.equal(history.code, 0, history.stderr);
        const entries = JSON.parse(history.stdout) as { revision: number; description: string }[];
        assert.deepEqual(
          entries.map((e) => [e.revision, e.description]),
          [
            [1, DEFAULT_CAUSE],
            [2, 'Hotfix: raise timeouts (INC-42)'],
          ],
        );
      });

      it('rolls back to the previous revision, which brings its change cause back', async () => {
        const run = await deploy({
          helmBin: bin,
          endpoints: endpoints(),
          inputs: { ...base(), action: 'rollback' },
        });
        assertSucceeded(run);
        assert.equal(run.variables['revision']?.value, '3');
        assert.equal(run.variables['status']?.value, 'deployed');
        assert.equal(run.variables['changeCause']?.value, 'Rollback to 1');
        assert.equal(changeCauseOf(stored('Deployment', namespace, `${release}-web`)), DEFAULT_CAUSE);
      });

      it('uninstalls the release and its objects', async () => {
        const run = await deploy({
          helmBin: bin,
          endpoints: endpoints(),
          inputs: { ...base(), action: 'uninstall' },
        });
        assertSucceeded(run);
        assert.equal(run.variables['status']?.value, 'uninstalled');
        assert.equal(run.variables['revision']?.value, '3');
        assert.equal(stored('Deployment', namespace, `${release}-web`), undefined);
        assert.equal(stored('ConfigMap', namespace, `${release}-config`), undefined);
      });

      it('explains a failed upgrade: the Helm error, helm status and the failing workload events', async () => {
        const run = await deploy({
          helmBin: bin,
          endpoints: endpoints(),
          inputs: { ...base(), releaseName: 'broken', chart, atomic: 'false', timeout: '3s' },
        });
        assert.equal(run.agentResult, 'Failed');
        assert.match(run.message ?? '', /helm upgrade failed/);
        assert.ok(run.groups.includes('Diagnostics: release broken'), run.groups.join(', '));
        assert.match(run.stdout, /STATUS: failed/);
        assert.match(run.stdout, /Warning Failed Deployment\/broken-web: .*ImagePullBackOff/);
        assert.equal(run.variables['status']?.value, 'failed');
        assert.equal(run.variables['revision']?.value, '1');
        assert.equal(run.variables['changeCause']?.value, DEFAULT_CAUSE);
        const summary = run.summaries.map((s) => s.content).join('\n');
        assert.match(summary, /\*\*Failed at revision 1\.\*\*\n/);
        assert.match(summary, /helm upgrade failed/);
        assert.deepEqual(
          run.summaries.map((s) => s.title),
          ['Deploy Helm chart'],
        );
        // Where the upgrade left the release and the summary's table come from one `helm history`.
        const histories = run.debug.filter((l) => l.startsWith('helm history'));
        assert.equal(histories.length, 1, histories.join('\n'));
      });
    });
  }
});
