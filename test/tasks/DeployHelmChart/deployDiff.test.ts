// DeployHelmChart@1's diff action, server-side apply inputs and failure trail, run as the agent
// runs the task (packaged .vsix, System.Debug on, leak-checked) with real Helm 3 and Helm 4 against
// the Kubernetes API emulator: a first install's diff, a no-op, changes with redacted secrets, the
// helm template fallback, Helm 4's server-side apply as the emulator records it, and a failed
// atomic upgrade's outputs and summary.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { toolPath } from '../../support/tools';
import type { TaskRun } from '../../support/taskRunner';
import { K8S_CONNECTION, assertSucceeded, deploy, disposeTaskRuns, kubernetesEndpoint } from './deployRun';
import { HELMS, copyChart, helmCommand, makeTempDir, removeTempDirs } from '../../support/helmUnderTest';

const DB_PASSWORD = 'Pa55 "word", first';
const NEW_PASSWORD = 'Pa55 "word", second';
const API_TOKEN = 'tok\\en "quoted" ∞';

/** Objects the chart adds to the workloads fixture: a Secret, an optional ConfigMap, an optional failing Deployment. */
const CHART_ADDITIONS = {
  'templates/secret.yaml': `apiVersion: v1
kind: Secret
metadata:
  name: '{{ .Release.Name }}-creds'
data:
  password: {{ .Values.password | default "none" | b64enc | quote }}
`,
  'templates/extra.yaml': `{{- if .Values.extra }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: '{{ .Release.Name }}-extra'
data:
  TOKEN_FROM_VALUES: {{ .Values.config.token | quote }}
{{- end }}
`,
  'templates/broken.yaml': `{{- if .Values.breakIt }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: broken-web
spec:
  replicas: 1
  selector:
    matchLabels: { app: broken-web }
  template:
    metadata:
      labels: { app: broken-web }
    spec:
      containers:
        - name: web
          image: registry.example/missing:0
{{- end }}
`,
};

/** Lines of the log group with this title. */
function groupLines(run: TaskRun, title: string): string[] {
  const lines = run.stdout.split(/\r?\n/);
  const start = lines.indexOf(`##[group]${title}`);
  assert.ok(start >= 0, `no log group '${title}' in: ${run.groups.join(', ')}`);
  const end = lines.indexOf('##[endgroup]', start);
  return lines.slice(start + 1, end);
}

const outputs = (run: TaskRun) => [
  run.variables['hasChanges']?.value,
  run.variables['changedObjects']?.value,
];
const summaryOf = (run: TaskRun) => run.summaries.map((s) => s.content).join('\n');

describe('DeployHelmChart@1 task: diff, server-side apply and failure trail against the Kubernetes API emulator', function () {
  this.timeout(300_000);
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

  for (const helm of HELMS) {
    describe(helm.name, () => {
      const release = `diff${helm.major}`;
      const namespace = `diff${helm.major}`;
      let bin: string;
      let chart: string;
      before(() => {
        bin = toolPath(helm.tool);
        chart = copyChart('workloads', CHART_ADDITIONS);
      });
      // A service account connection: a Kubeconfig connection's plain lines (`apiVersion: v1`) would be
      // taken for leaked kubeconfig lines by the runner's check, as every core object's diff has one.
      const endpoints = () => ({ [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'ServiceAccount') });
      const base = { kubernetesServiceConnection: K8S_CONNECTION, releaseName: release, namespace };
      const firstValues = 'password=$(dbPassword)\nconfig.token=$(apiToken)\nextra=true';
      const run = (inputs: Record<string, string>, secretVariables: Record<string, string>) =>
        deploy({
          helmBin: bin,
          endpoints: endpoints(),
          inputs: { ...base, chart, ...inputs },
          secretVariables,
        });
      const secretsOf = (password: string) => ({ dbPassword: password, apiToken: API_TOKEN });
      const all = ['config', 'creds', 'extra', 'web', 'db', 'agent'].map((n) => `${release}-${n}`);

      it('diffs a first install: every object added, nothing created, secrets redacted', async () => {
        const diff = await run({ action: 'diff', values: firstValues }, secretsOf(DB_PASSWORD));
        assertSucceeded(diff);
        const [hasChanges, changed] = outputs(diff);
        assert.equal(hasChanges, 'true');
        for (const name of all) assert.match(changed ?? '', new RegExp(`/${name}\\b`), changed);
        assert.ok(diff.groups.includes(`Add Deployment/${release}-web`), diff.groups.join(', '));
        const secretLines = groupLines(diff, `Add Secret/${release}-creds`);
        assert.ok(secretLines.includes('+  password: (redacted, changed)'), secretLines.join('\n'));
        assert.ok(
          groupLines(diff, `Add ConfigMap/${release}-extra`).includes('+  TOKEN_FROM_VALUES: (redacted)'),
        );
        assert.match(summaryOf(diff), /7 to add, 0 to change, 0 to remove/);
        assert.equal(k8s.object('apps/v1', 'Deployment', namespace, `${release}-web`), undefined);
        assert.deepEqual(k8s.list('v1', 'Secret', namespace), [], 'the dry run stored something');
      });

      it('diffs a no-op after an install with the same inputs (a new change cause is not a change)', async () => {
        assertSucceeded(await run({ values: firstValues }, secretsOf(DB_PASSWORD)));
        const diff = await run(
          { action: 'diff', values: firstValues, changeCause: 'Another build' },
          secretsOf(DB_PASSWORD),
        );
        assertSucceeded(diff);
        assert.deepEqual(outputs(diff), ['false', '']);
        assert.match(diff.stdout, /No changes: the release/);
        assert.match(summaryOf(diff), /\*\*No changes:\*\*/);
      });

      it('diffs changed, removed objects and a changed secret without changing the release', async () => {
        const diff = await run(
          { action: 'diff', values: 'password=$(dbPassword)\nconfig.token=$(apiToken)\ngreeting=bonjour' },
          secretsOf(NEW_PASSWORD),
        );
        assertSucceeded(diff);
        const [hasChanges, changed] = outputs(diff);
        assert.equal(hasChanges, 'true');
        assert.deepEqual(changed?.split(', ').sort(), [
          `ConfigMap/${release}-config`,
          `ConfigMap/${release}-extra`,
          `Secret/${release}-creds`,
        ]);
        const config = groupLines(diff, `Change ConfigMap/${release}-config`);
        assert.ok(
          config.includes('-  GREETING: hello') && config.includes('+  GREETING: bonjour'),
          config.join('\n'),
        );
        assert.ok(
          groupLines(diff, `Change Secret/${release}-creds`).includes('+  password: (redacted, changed)'),
        );
        assert.ok(diff.groups.includes(`Remove ConfigMap/${release}-extra`), diff.groups.join(', '));
        assert.match(summaryOf(diff), /0 to add, 2 to change, 1 to remove/);
        const stored = k8s.object('v1', 'ConfigMap', namespace, `${release}-config`) as {
          data: Record<string, string>;
        };
        assert.equal(stored.data['GREETING'], 'hello');
        const history = await helmCommand(helm)([
          'history',
          release,
          `--namespace=${namespace}`,
          `--kubeconfig=${kubeconfigFile}`,
          '--output=json',
        ]);
        assert.equal((JSON.parse(history.stdout) as unknown[]).length, 1, history.stderr);
      });

      it('renders with helm template when the cluster cannot be reached, and says so', async () => {
        const dead = { ...k8s, url: 'https://127.0.0.1:1' }; // a port nothing listens on
        const diff = await deploy({
          helmBin: bin,
          endpoints: { [K8S_CONNECTION]: kubernetesEndpoint(dead, 'ServiceAccount') },
          inputs: { ...base, chart, action: 'diff' },
        });
        assertSucceeded(diff);
        const warnings = diff.issues.map((i) => i.message).join('\n');
        assert.match(warnings, /could not be reached for a server-side dry run .*helm template instead/);
        assert.match(warnings, /every object shows as added/);
        assert.equal(outputs(diff)[0], 'true');
        assert.ok(diff.groups.includes(`Add Secret/${release}-creds`), diff.groups.join(', '));
      });

      if (helm.major >= 4) {
        it('applies client-side or server-side as serverSideApply says, forcing conflicts when asked', async () => {
          const ssaRelease = 'ssa4';
          const applies = (from: number) =>
            k8s
              .requests()
              .slice(from)
              .filter(
                (r) => r.contentType?.startsWith('application/apply-patch') && r.path.includes(`/ssa4`),
              );
          let mark = k8s.requests().length;
          assertSucceeded(await run({ releaseName: ssaRelease, serverSideApply: 'false' }, {}));
          assert.deepEqual(applies(mark), [], 'client-side apply sent apply patches');
          mark = k8s.requests().length;
          assertSucceeded(
            await run(
              {
                releaseName: ssaRelease,
                serverSideApply: 'true',
                forceConflicts: 'true',
                values: 'greeting=ssa',
              },
              {},
            ),
          );
          const sent = applies(mark);
          assert.ok(sent.length > 0, 'no server-side apply request');
          assert.ok(
            sent.every((r) => /[?&]force=true\b/.test(r.path) && /[?&]fieldManager=helm\b/.test(r.path)),
            sent.map((r) => r.path).join('\n'),
          );
          const stored = k8s.object('v1', 'ConfigMap', namespace, `${ssaRelease}-config`) as {
            data: Record<string, string>;
            metadata: { managedFields: { manager: string; operation: string }[] };
          };
          assert.equal(stored.data['GREETING'], 'ssa');
          assert.ok(
            stored.metadata.managedFields.some((f) => f.manager === 'helm' && f.operation === 'Apply'),
          );
        });
      } else {
        it('refuses serverSideApply: true on Helm 3 before touching the cluster', async () => {
          const result = await run({ releaseName: 'ssa3', serverSideApply: 'true' }, {});
          assert.equal(result.agentResult, 'Failed');
          assert.match(result.message ?? '', /'serverSideApply: true' needs Helm 4: Helm v3\.\d+\.\d+ at /);
          assert.equal(k8s.object('apps/v1', 'Deployment', namespace, 'ssa3-web'), undefined);
        });
      }

      it('leaves a trail when an atomic upgrade fails: outputs, Helm error, status, events, rollback target', async () => {
        const trail = `trail${helm.major}`;
        assertSucceeded(await run({ releaseName: trail }, {}));
        const failed = await run(
          { releaseName: trail, values: 'breakIt=true', changeCause: 'Break it (INC-7)', timeout: '3s' },
          {},
        );
        assert.equal(failed.agentResult, 'Failed');
        assert.equal(failed.variables['status']?.value, 'failed');
        assert.equal(failed.variables['revision']?.value, '2');
        assert.equal(failed.variables['changeCause']?.value, 'Break it (INC-7)');
        const summary = summaryOf(failed);
        assert.match(summary, /\*\*Failed at revision 2\.\*\* Rolled back to revision 1 \(atomic\)\./);
        assert.match(summary, /Error: |failed/);
        assert.match(summary, /`helm status`:[\s\S]*STATUS: deployed/);
        assert.match(summary, /Warning Failed Deployment\/broken-web: .*ImagePullBackOff/);
        assert.match(summary, /\| 3 \| .* \| deployed \| .* \| Rollback to 1 \|/);
      });
    });
  }
});
