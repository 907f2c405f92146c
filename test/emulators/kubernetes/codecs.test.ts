// The Kubernetes emulator's codecs without a server: protobuf envelope and Secret message,
// label and field selectors, and the patch types (merge, JSON, strategic merge, apply).
import assert from 'node:assert/strict';
import { serverSideApply } from './apply';
import { jsonPatch, mergePatch, PatchError, strategicMergePatch } from './patch';
import { decodeEnvelope, encodeEnvelope } from './protobuf';
import { labelSelectorObject, parseFieldSelector, parseLabelSelector } from './selectors';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const ascii = (s: string) => Buffer.from(s, 'ascii').toString('hex');

describe('Kubernetes emulator codecs', () => {
  describe('protobuf', () => {
    // Secret{metadata{name:"s", namespace:"n", labels{a:b}}, data{k:[ff 00]}, type:"t"} by hand,
    // wrapped in k8s\0 + runtime.Unknown{typeMeta{v1, Secret}, raw}
    const meta = `0a01${ascii('s')} 1a01${ascii('n')} 5a06 0a01${ascii('a')} 1201${ascii('b')}`;
    const secret = `0a0e ${meta} 1207 0a01${ascii('k')} 1202ff00 1a01${ascii('t')}`;
    const wire = hex(`${ascii('k8s')}00 0a0c 0a02${ascii('v1')} 1206${ascii('Secret')} 121c ${secret}`);
    const json = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'n', labels: { a: 'b' } },
      data: { k: Buffer.from([0xff, 0x00]).toString('base64') },
      type: 't',
    };

    it('decodes the envelope and the Secret message field by field', () => {
      assert.deepEqual(decodeEnvelope(wire), json);
    });

    it('encodes the same bytes back', () => {
      assert.deepEqual(encodeEnvelope(json), wire);
    });

    it('round-trips annotations, resourceVersion, generation, creationTimestamp and ConfigMap data', () => {
      const configMap = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: 'release',
          namespace: 'apps',
          resourceVersion: '1042',
          generation: 3,
          creationTimestamp: '2025-01-02T03:04:05Z',
          labels: { owner: 'helm', name: 'demo' },
          annotations: { 'example.com/note': 'ünïcode, commas' },
        },
        data: { release: 'H4sI...' },
        binaryData: { blob: Buffer.from([1, 2, 3, 250]).toString('base64') },
        immutable: true,
      };
      assert.deepEqual(decodeEnvelope(encodeEnvelope(configMap)), configMap);
    });

    it('rejects a body without the k8s magic and truncated messages', () => {
      assert.throws(() => decodeEnvelope(Buffer.from('{"kind":"Secret"}')), /magic/);
      assert.throws(() => decodeEnvelope(wire.subarray(0, wire.length - 3)), /overruns|truncated/);
    });
  });

  describe('selectors', () => {
    const pod = (labels: Record<string, string>) => ({ metadata: { name: 'p', labels } });

    it('parses equality, set-based and existence requirements', () => {
      const cases: [string, Record<string, string>, boolean][] = [
        ['name=demo,owner=helm', { name: 'demo', owner: 'helm' }, true],
        ['name=demo,owner=helm', { name: 'demo' }, false],
        ['name==demo', { name: 'demo' }, true],
        ['status!=deployed', { status: 'failed' }, true],
        ['status!=deployed', {}, true],
        ['env in (prod, staging),tier notin (db)', { env: 'prod', tier: 'web' }, true],
        ['env in (prod, staging),tier notin (db)', { env: 'dev', tier: 'web' }, false],
        ['tier notin (db)', {}, true],
        ['app', { app: 'x' }, true],
        ['!app', { app: 'x' }, false],
        ['version>3', { version: '4' }, true],
      ];
      for (const [selector, labels, expected] of cases) {
        assert.equal(
          parseLabelSelector(selector)(pod(labels)),
          expected,
          `${selector} on ${JSON.stringify(labels)}`,
        );
      }
      assert.throws(() => parseLabelSelector('a in b'), /unable to parse/);
    });

    it('turns a LabelSelector object into the same predicate', () => {
      const match = labelSelectorObject({
        matchLabels: { app: 'web' },
        matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }],
      });
      assert.equal(match(pod({ app: 'web', env: 'prod' })), true);
      assert.equal(match(pod({ app: 'web', env: 'dev' })), false);
    });

    it('matches field selectors on dotted paths, with escapes', () => {
      const event = { metadata: { name: 'e1' }, involvedObject: { name: 'a,b', kind: 'Deployment' } };
      assert.equal(
        parseFieldSelector('involvedObject.name=a\\,b,involvedObject.kind=Deployment')(event),
        true,
      );
      assert.equal(parseFieldSelector('metadata.name!=e1')(event), false);
      assert.equal(parseFieldSelector('metadata.name==e1')(event), true);
    });
  });

  describe('patches', () => {
    it('merge patch: objects merge, null removes, lists replace', () => {
      const target = { a: { b: 1, c: 2 }, l: [1, 2], keep: true };
      assert.deepEqual(mergePatch(target, { a: { b: null, d: 3 }, l: [3] }), {
        a: { c: 2, d: 3 },
        l: [3],
        keep: true,
      });
    });

    it('JSON patch: add, remove, replace, move, copy, test', () => {
      const result = jsonPatch({ a: [1, 2], b: { c: 'x' } }, [
        { op: 'add', path: '/a/-', value: 3 },
        { op: 'remove', path: '/a/0' },
        { op: 'replace', path: '/b/c', value: 'y' },
        { op: 'copy', from: '/b', path: '/d' },
        { op: 'move', from: '/b/c', path: '/e' },
        { op: 'test', path: '/e', value: 'y' },
      ]);
      assert.deepEqual(result, { a: [2, 3], b: {}, d: { c: 'y' }, e: 'y' });
      assert.throws(() => jsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }]), PatchError);
      assert.throws(() => jsonPatch({}, [{ op: 'replace', path: '/missing', value: 2 }]), PatchError);
    });

    const podSpec = {
      containers: [
        {
          name: 'web',
          image: 'web:1',
          env: [
            { name: 'A', value: '1' },
            { name: 'B', value: '2' },
          ],
        },
        { name: 'sidecar', image: 'side:1' },
      ],
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } },
    };

    it('strategic merge patch: keyed lists merge by name, $patch delete, $setElementOrder, $retainKeys', () => {
      const patched = strategicMergePatch(podSpec, {
        '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }],
        containers: [
          { name: 'web', env: [{ name: 'A', value: 'changed' }] },
          { name: 'sidecar', $patch: 'delete' },
          { name: 'new', image: 'new:1' },
        ],
        strategy: { $retainKeys: ['type'], type: 'Recreate' },
      });
      assert.deepEqual(patched, {
        containers: [
          {
            name: 'web',
            image: 'web:1',
            env: [
              { name: 'A', value: 'changed' },
              { name: 'B', value: '2' },
            ],
          },
          { name: 'new', image: 'new:1' },
        ],
        strategy: { type: 'Recreate' },
      });
    });

    it('strategic merge patch: $patch replace and $deleteFromPrimitiveList', () => {
      assert.deepEqual(strategicMergePatch({ m: { a: 1, b: 2 } }, { m: { $patch: 'replace', c: 3 } }), {
        m: { c: 3 },
      });
      assert.deepEqual(
        strategicMergePatch(
          { finalizers: ['a', 'b', 'c'] },
          { '$deleteFromPrimitiveList/finalizers': ['b'] },
        ),
        { finalizers: ['a', 'c'] },
      );
    });

    it('apply: merges onto the live object and drops only what the same manager stopped applying', () => {
      const first = { metadata: { name: 'd', labels: { app: 'web', tier: 'front' } }, spec: { replicas: 2 } };
      const live = {
        metadata: { name: 'd', uid: 'u1', labels: { app: 'web', tier: 'front', 'added-by': 'kubectl' } },
        spec: { replicas: 2, paused: false },
        status: { readyReplicas: 2 },
      };
      const second = { metadata: { name: 'd', labels: { app: 'web' } }, spec: { replicas: 3 } };
      assert.deepEqual(serverSideApply(live, second, first), {
        metadata: { name: 'd', uid: 'u1', labels: { app: 'web', 'added-by': 'kubectl' } },
        spec: { replicas: 3, paused: false },
        status: { readyReplicas: 2 },
      });
    });
  });
});
