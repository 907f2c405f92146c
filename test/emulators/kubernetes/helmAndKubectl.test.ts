// The Kubernetes API emulator proven with real Helm 3.17 and Helm 4.1 and kubectl 1.31/1.34 (all
// provisioned before the run by scripts/provision.mjs): install with --wait into a new namespace,
// upgrade to revision 2, history with descriptions, rollback, status, uninstall, and a workload
// that never becomes ready.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { startKubernetesEmulator, type KubernetesEmulator } from './';
import { apiRequest } from './testkit/apiClient';
import { writeDemoChart } from './testkit/demoChart';
import { ClientWorkspace, type CommandResult } from './testkit/workspace';
import { toolPath, type ToolName } from '../../support/tools';

const helms: { name: string; tool: ToolName; kubectl: ToolName; upgradePatch: string }[] = [
  {
    name: 'Helm 3',
    tool: 'HELM3_BIN',
    kubectl: 'KUBECTL31_BIN',
    upgradePatch: 'application/strategic-merge-patch+json',
  },
  {
    name: 'Helm 4',
    tool: 'HELM4_BIN',
    kubectl: 'KUBECTL34_BIN',
    upgradePatch: 'application/apply-patch+yaml',
  },
];
const NS = 'shop';
const REVISION = 'deployment.kubernetes.io/revision';
const CHANGE_CAUSE = 'kubernetes.io/change-cause';

/** The value at a dotted path of a stored object, then at `key` (for keys with dots in them). */
function at(obj: unknown, path: string, key?: string): unknown {
  let value = obj;
  for (const k of [...path.split('.'), ...(key === undefined ? [] : [key])]) {
    value = (value as Record<string, unknown> | undefined)?.[k];
  }
  return value;
}
const text = (obj: unknown, path: string, key?: string) => at(obj, path, key) as string | undefined;
const num = (obj: unknown, path: string) => at(obj, path) as number | undefined;

/** The release Helm's secret driver stores: base64 (as Secret data) of base64 of gzipped JSON. */
function decodeRelease(secret: unknown): { name: string; version: number; info: { status: string } } {
  const inner = Buffer.from(text(secret, 'data.release') ?? '', 'base64').toString('utf8');
  return JSON.parse(zlib.gunzipSync(Buffer.from(inner, 'base64')).toString('utf8')) as never;
}

const WORKLOADS = [
  { kind: 'Deployment', name: 'demo-web', ready: 'status.readyReplicas', replicas: 2 },
  { kind: 'StatefulSet', name: 'demo-db', ready: 'status.readyReplicas', replicas: 1 },
  { kind: 'DaemonSet', name: 'demo-agent', ready: 'status.numberReady', replicas: 1 },
];

for (const helm of helms) {
  describe(`Kubernetes emulator with real ${helm.name}`, function () {
    this.timeout(120_000);
    let k8s: KubernetesEmulator;
    let ws: ClientWorkspace;
    let chart: string;
    let bin: string;

    before(async () => {
      bin = toolPath(helm.tool);
      k8s = await startKubernetesEmulator({ readyDelayMs: 150, failWorkloads: ['broken-web'] });
      ws = new ClientWorkspace(k8s);
      chart = writeDemoChart(ws.dir);
    });
    after(async () => {
      await k8s?.stop();
      ws?.cleanup();
    });

    const get = (kind: string, name: string, apiVersion = 'apps/v1') =>
      k8s.object(apiVersion, kind, NS, name);
    const releaseSecrets = () =>
      k8s.list('v1', 'Secret', NS).filter((s) => text(s, 'type') === 'helm.sh/release.v1');
    const helmOk = async (...args: string[]): Promise<CommandResult> => {
      const r = await ws.run(bin, args);
      assert.equal(r.code, 0, `helm ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
      return r;
    };
    const deploy = (description: string, ...sets: string[]) =>
      helmOk(
        ...[
          'upgrade',
          '--install',
          'demo',
          chart,
          '-n',
          NS,
          '--create-namespace',
          '--wait',
          '--timeout',
          '60s',
        ],
        ...['--description', description, '--set', `changeCause=${description}`],
        ...sets.flatMap((s) => ['--set', s]),
      );
    const history = async () =>
      JSON.parse((await helmOk('history', 'demo', '-n', NS, '-o', 'json')).stdout) as {
        revision: number;
        status: string;
        description: string;
      }[];
    const replicaSets = () =>
      k8s
        .list('apps/v1', 'ReplicaSet', NS)
        .filter((rs) => text(rs, 'metadata.ownerReferences.0.name') === 'demo-web');
    const webEnv = () =>
      Object.fromEntries(
        (
          at(get('Deployment', 'demo-web'), 'spec.template.spec.containers.0.env') as {
            name: string;
            value: string;
          }[]
        ).map((e) => [e.name, e.value]),
      );

    it('upgrade --install --wait creates the namespace and objects and returns once every workload is ready', async () => {
      await deploy('first deploy');
      assert.equal(text(k8s.object('v1', 'Namespace', undefined, NS), 'status.phase'), 'Active');
      assert.equal(text(get('ConfigMap', 'demo-config', 'v1'), 'data.message'), 'hello');
      assert.match(text(get('Service', 'demo-web', 'v1'), 'spec.clusterIP') ?? '', /^10\.96\.\d+\.\d+$/);
      const secrets = releaseSecrets();
      assert.deepEqual(
        secrets.map((s) => text(s, 'metadata.name')),
        ['sh.helm.release.v1.demo.v1'],
      );
      const secret = secrets[0];
      assert.equal(text(secret, 'metadata.labels.owner'), 'helm');
      assert.equal(text(secret, 'metadata.labels.status'), 'deployed');
      const release = decodeRelease(secret);
      assert.deepEqual([release.name, release.version, release.info.status], ['demo', 1, 'deployed']);
      for (const w of WORKLOADS) {
        const obj = get(w.kind, w.name);
        assert.equal(num(obj, w.ready), w.replicas, `${w.kind} ${w.name} ready`);
        assert.equal(num(obj, 'status.observedGeneration'), num(obj, 'metadata.generation'));
        // --wait: the release was recorded as deployed only after the workload reported ready
        assert.ok(
          Number(text(secret, 'metadata.resourceVersion')) > Number(text(obj, 'metadata.resourceVersion')),
          `${w.kind} ${w.name} was ready before the release was marked deployed`,
        );
      }
      assert.equal(text(get('Deployment', 'demo-web'), 'metadata.annotations', CHANGE_CAUSE), 'first deploy');
    });

    it('a second upgrade with changed values is revision 2, merged into the live objects', async () => {
      await deploy('second deploy', 'message=changed');
      assert.deepEqual(
        releaseSecrets().map((s) => [text(s, 'metadata.name'), text(s, 'metadata.labels.status')]),
        [
          ['sh.helm.release.v1.demo.v1', 'superseded'],
          ['sh.helm.release.v1.demo.v2', 'deployed'],
        ],
      );
      const web = get('Deployment', 'demo-web');
      assert.equal((at(web, 'spec.template.spec.containers') as unknown[]).length, 1);
      assert.deepEqual(webEnv(), { MESSAGE: 'changed', MODE: 'demo' });
      assert.equal(num(web, 'metadata.generation'), 2);
      assert.equal(num(web, 'status.observedGeneration'), 2);
      assert.equal(num(web, 'status.readyReplicas'), 2);
      assert.equal(text(get('ConfigMap', 'demo-config', 'v1'), 'data.message'), 'changed');
      const sets = replicaSets().map((rs) => [
        text(rs, 'metadata.annotations', REVISION),
        text(rs, 'metadata.annotations', CHANGE_CAUSE),
        num(rs, 'spec.replicas'),
      ]);
      assert.deepEqual(sets.sort(), [
        ['1', 'first deploy', 0],
        ['2', 'second deploy', 2],
      ]);
    });

    it('helm history lists both revisions with their descriptions', async () => {
      assert.deepEqual(
        (await history()).map((h) => [h.revision, h.status, h.description]),
        [
          [1, 'superseded', 'first deploy'],
          [2, 'deployed', 'second deploy'],
        ],
      );
    });

    it('kubectl rollout history shows each revision with its change cause', async () => {
      const r = await ws.run(toolPath(helm.kubectl), ['-n', NS, 'rollout', 'history', 'deployment/demo-web']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^1\s+first deploy\s*$/m);
      assert.match(r.stdout, /^2\s+second deploy\s*$/m);
    });

    it('helm rollback to 1 restores the first values as revision 3', async () => {
      await helmOk('rollback', 'demo', '1', '-n', NS, '--wait', '--timeout', '60s');
      const last = (await history()).at(-1);
      assert.deepEqual([last?.revision, last?.status, last?.description], [3, 'deployed', 'Rollback to 1']);
      assert.deepEqual(webEnv(), { MESSAGE: 'hello', MODE: 'demo' });
      assert.equal(text(get('ConfigMap', 'demo-config', 'v1'), 'data.message'), 'hello');
      // the first template is current again: its ReplicaSet takes the next revision, as in a cluster
      const current = replicaSets().find((rs) => num(rs, 'spec.replicas') === 2);
      assert.equal(replicaSets().length, 2);
      assert.equal(text(current, 'metadata.annotations', REVISION), '3');
      assert.equal(text(current, 'metadata.annotations', CHANGE_CAUSE), 'first deploy');
    });

    it('helm status reports the release; helm uninstall leaves nothing behind', async () => {
      const status = JSON.parse((await helmOk('status', 'demo', '-n', NS, '-o', 'json')).stdout) as {
        version: number;
        info: { status: string };
      };
      assert.deepEqual([status.version, status.info.status], [3, 'deployed']);
      await helmOk('uninstall', 'demo', '-n', NS);
      for (const [apiVersion, kind] of [
        ['v1', 'ConfigMap'],
        ['v1', 'Service'],
        ['v1', 'Secret'],
        ['apps/v1', 'Deployment'],
        ['apps/v1', 'StatefulSet'],
        ['apps/v1', 'DaemonSet'],
        ['apps/v1', 'ReplicaSet'],
      ]) {
        assert.deepEqual(k8s.list(apiVersion ?? '', kind ?? '', NS), [], `${kind} left behind`);
      }
      const list = JSON.parse((await helmOk('list', '-n', NS, '-o', 'json')).stdout) as unknown[];
      assert.deepEqual(list, []);
    });

    it('a workload that never becomes ready fails --wait, and its event says why', async () => {
      const r = await ws.run(bin, [
        'upgrade',
        '--install',
        'broken',
        chart,
        '-n',
        NS,
        '--wait',
        '--timeout',
        '3s',
      ]);
      assert.notEqual(r.code, 0, 'helm should fail');
      assert.match(r.stderr, /context deadline exceeded|not ready|timed out/);
      assert.equal(num(get('Deployment', 'broken-web'), 'status.readyReplicas'), 0);
      const status = JSON.parse((await helmOk('status', 'broken', '-n', NS, '-o', 'json')).stdout) as {
        info: { status: string };
      };
      assert.equal(status.info.status, 'failed');
      const events = await apiRequest(
        k8s,
        `/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent('involvedObject.name=broken-web')}`,
      );
      assert.equal(events.status, 200);
      const items = at(events.json, 'items') as unknown[];
      assert.equal(items.length, 1);
      assert.equal(text(items[0], 'reason'), 'Failed');
      assert.equal(text(items[0], 'involvedObject.kind'), 'Deployment');
      assert.match(text(items[0], 'message') ?? '', /ImagePullBackOff/);
    });

    it(`spoke the API as ${helm.name} does: protobuf release Secrets, ${helm.upgradePatch}, nothing rejected`, () => {
      const requests = k8s.requests();
      const secretWrites = requests.filter(
        (r) =>
          /\/secrets(\/|$)/.test(r.path.split('?')[0] ?? '') && r.method !== 'GET' && r.method !== 'DELETE',
      );
      assert.ok(secretWrites.length >= 4);
      assert.ok(secretWrites.every((r) => r.contentType === 'application/vnd.kubernetes.protobuf'));
      assert.ok(requests.some((r) => r.method === 'PATCH' && r.contentType === helm.upgradePatch));
      assert.deepEqual(
        requests.filter((r) => r.status === 415 || r.status >= 500),
        [],
      );
    });
  });
}
