// The Kubernetes emulator over HTTPS, request by request: authentication, discovery, OpenAPI,
// protobuf bodies, conflicts, patch types, selectors, deletecollection, CRDs, client certificates.
import assert from 'node:assert/strict';
import { startKubernetesEmulator, type KubernetesEmulator } from './index';
import { encodeEnvelope, PROTOBUF_CONTENT_TYPE } from './protobuf';
import { at, deployment } from './testkit/objects';
import { apiRequest } from './testkit/apiClient';

const NS = 'team';

describe('Kubernetes emulator API', function () {
  this.timeout(20_000);
  let k8s: KubernetesEmulator;
  const deployments = `/apis/apps/v1/namespaces/${NS}/deployments`;
  const secrets = `/api/v1/namespaces/${NS}/secrets`;

  before(async () => {
    k8s = await startKubernetesEmulator({ readyDelayMs: 50, failWorkloads: ['stuck'] });
    const ns = await apiRequest(k8s, '/api/v1/namespaces', {
      method: 'POST',
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
      contentType: 'application/json',
    });
    assert.equal(ns.status, 201);
  });
  after(async () => k8s?.stop());

  const post = (path: string, body: object) =>
    apiRequest(k8s, path, { method: 'POST', body, contentType: 'application/json' });

  it('answers 401 with a Status without the right bearer token', async () => {
    for (const token of [null, 'wrong-token']) {
      const r = await apiRequest(k8s, '/version', { token });
      assert.equal(r.status, 401);
      assert.deepEqual(
        [at(r.json, 'kind'), at(r.json, 'reason'), at(r.json, 'code')],
        ['Status', 'Unauthorized', 401],
      );
    }
    assert.equal((await apiRequest(k8s, '/version')).status, 200);
  });

  it('serves discovery for the core and named groups, and an OpenAPI v3 PATCH with fieldValidation per kind', async () => {
    const core = await apiRequest(k8s, '/api/v1');
    const names = (at(core.json, 'resources') as { name: string }[]).map((r) => r.name);
    for (const n of [
      'namespaces',
      'secrets',
      'configmaps',
      'services',
      'serviceaccounts',
      'pods',
      'events',
      'persistentvolumeclaims',
    ]) {
      assert.ok(names.includes(n), n);
    }
    const groups = (
      at((await apiRequest(k8s, '/apis')).json, 'groups') as {
        name: string;
        versions: { groupVersion: string }[];
      }[]
    ).flatMap((g) => g.versions.map((v) => v.groupVersion));
    for (const gv of [
      'apps/v1',
      'batch/v1',
      'networking.k8s.io/v1',
      'policy/v1',
      'rbac.authorization.k8s.io/v1',
      'autoscaling/v2',
      'apiextensions.k8s.io/v1',
    ]) {
      assert.ok(groups.includes(gv), gv);
    }
    const root = at((await apiRequest(k8s, '/openapi/v3')).json, 'paths') as Record<
      string,
      { serverRelativeURL: string }
    >;
    const doc = await apiRequest(k8s, root['apis/apps/v1']?.serverRelativeURL ?? '');
    const patch = at(doc.json, 'paths', '/apis/apps/v1/namespaces/{namespace}/deployments/{name}', 'patch');
    assert.deepEqual(at(patch, 'x-kubernetes-group-version-kind'), {
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    assert.ok(
      (at(patch, 'parameters') as { name: string; in: string }[]).some(
        (p) => p.name === 'fieldValidation' && p.in === 'query',
      ),
    );
  });

  it('creates and updates Secrets from protobuf bodies and answers in JSON', async () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'release', namespace: NS, labels: { owner: 'helm', status: 'pending' } },
      data: { release: Buffer.from([0, 1, 2, 255]).toString('base64') },
      type: 'helm.sh/release.v1',
    };
    const created = await apiRequest(k8s, secrets, {
      method: 'POST',
      body: encodeEnvelope(secret),
      contentType: PROTOBUF_CONTENT_TYPE,
    });
    assert.equal(created.status, 201);
    assert.match(created.contentType, /application\/json/);
    const updated = await apiRequest(k8s, `${secrets}/release`, {
      method: 'PUT',
      body: encodeEnvelope({
        ...secret,
        metadata: { ...secret.metadata, labels: { owner: 'helm', status: 'deployed' } },
      }),
      contentType: PROTOBUF_CONTENT_TYPE,
    });
    assert.equal(updated.status, 200);
    const stored = k8s.object('v1', 'Secret', NS, 'release');
    assert.deepEqual(at(stored, 'data'), secret.data);
    assert.equal(at(stored, 'metadata', 'labels', 'status'), 'deployed');
    const listed = await apiRequest(
      k8s,
      `${secrets}?labelSelector=${encodeURIComponent('owner=helm,status in (deployed)')}`,
    );
    assert.deepEqual(
      (at(listed.json, 'items') as unknown[]).map((i) => at(i, 'metadata', 'name')),
      ['release'],
    );
  });

  it('rejects a stale resourceVersion with 409 and a create into a missing namespace with 404', async () => {
    const created = await post(`/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm' },
      data: { a: '1' },
    });
    const rv = at(created.json, 'metadata', 'resourceVersion') as string;
    const put = (data: object, resourceVersion: string) =>
      apiRequest(k8s, `/api/v1/namespaces/${NS}/configmaps/cm`, {
        method: 'PUT',
        contentType: 'application/json',
        body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', resourceVersion }, data },
      });
    assert.equal((await put({ a: '2' }, rv)).status, 200);
    const stale = await put({ a: '3' }, rv);
    assert.deepEqual([stale.status, at(stale.json, 'reason')], [409, 'Conflict']);
    const missing = await post('/api/v1/namespaces/nowhere/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
    });
    assert.deepEqual([missing.status, at(missing.json, 'reason')], [404, 'NotFound']);
  });

  it('patches with merge, JSON, strategic merge and apply bodies', async () => {
    await post(deployments, deployment('patched'));
    const patch = (contentType: string, body: object, query = '') =>
      apiRequest(k8s, `${deployments}/patched${query}`, { method: 'PATCH', contentType, body });
    assert.equal(
      (await patch('application/merge-patch+json', { metadata: { annotations: { note: 'merge' } } })).status,
      200,
    );
    assert.equal(
      (await patch('application/json-patch+json', [{ op: 'replace', path: '/spec/replicas', value: 3 }]))
        .status,
      200,
    );
    const smp = await patch('application/strategic-merge-patch+json', {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'web', image: 'web:2' },
              { name: 'proxy', image: 'proxy:1' },
            ],
          },
        },
      },
    });
    assert.equal(smp.status, 200);
    const applied = await patch(
      'application/apply-patch+yaml',
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'patched', labels: { team: 'a' } } },
      '?fieldManager=test&force=false',
    );
    assert.equal(applied.status, 200);
    const stored = k8s.object('apps/v1', 'Deployment', NS, 'patched');
    assert.equal(at(stored, 'metadata', 'annotations', 'note'), 'merge');
    assert.equal(at(stored, 'spec', 'replicas'), 3);
    assert.deepEqual(at(stored, 'spec', 'template', 'spec', 'containers'), [
      { name: 'web', image: 'web:2' },
      { name: 'proxy', image: 'proxy:1' },
    ]);
    assert.deepEqual(at(stored, 'metadata', 'labels'), { app: 'patched', team: 'a' });
    const managers = (
      at(stored, 'metadata', 'managedFields') as { manager: string; operation: string }[]
    ).map((m) => `${m.manager}/${m.operation}`);
    assert.ok(managers.includes('test/Apply'), managers.join());
    const unsupported = await apiRequest(k8s, `${deployments}/patched`, {
      method: 'PATCH',
      contentType: 'text/plain',
      body: 'x',
    });
    assert.equal(unsupported.status, 415);
  });

  it('keeps the resourceVersion on a repeated identical apply, and deletes collections by label', async () => {
    const apply = () =>
      apiRequest(k8s, `/api/v1/namespaces/${NS}/configmaps/applied?fieldManager=helm&force=false`, {
        method: 'PATCH',
        contentType: 'application/apply-patch+yaml',
        body: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\n  labels:\n    batch: one\ndata:\n  a: "1"\n',
      });
    const first = await apply();
    const again = await apply();
    assert.deepEqual([first.status, again.status], [201, 200]);
    assert.equal(
      at(again.json, 'metadata', 'resourceVersion'),
      at(first.json, 'metadata', 'resourceVersion'),
    );
    await post(`/api/v1/namespaces/${NS}/configmaps`, {
      kind: 'ConfigMap',
      metadata: { name: 'other', labels: { batch: 'two' } },
    });
    const removed = await apiRequest(k8s, `/api/v1/namespaces/${NS}/configmaps?labelSelector=batch%3Done`, {
      method: 'DELETE',
    });
    assert.equal(removed.status, 200);
    assert.equal(k8s.object('v1', 'ConfigMap', NS, 'applied'), undefined);
    assert.ok(k8s.object('v1', 'ConfigMap', NS, 'other'));
  });

  it('serves the kinds of a CustomResourceDefinition once it is stored', async () => {
    const crd = await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Widget', plural: 'widgets' },
        versions: [{ name: 'v1', served: true, storage: true }],
      },
    });
    assert.equal(crd.status, 201);
    assert.equal((await apiRequest(k8s, '/apis/example.com/v1')).status, 200);
    const widget = await post(`/apis/example.com/v1/namespaces/${NS}/widgets`, {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w' },
      spec: { size: 1 },
    });
    assert.equal(widget.status, 201);
  });

  it('accepts a client certificate when started with clientCertAuth, and puts it in the kubeconfig', async () => {
    const withCerts = await startKubernetesEmulator({ clientCertAuth: true });
    try {
      assert.ok(withCerts.clientCertificate);
      assert.match(withCerts.kubeconfig(), /client-certificate-data: /);
      assert.doesNotMatch(withCerts.kubeconfig(), /token: /);
      const r = await apiRequest(withCerts, '/api/v1/namespaces', {
        token: null,
        clientCertificate: withCerts.clientCertificate,
      });
      assert.equal(r.status, 200);
      assert.equal((await apiRequest(withCerts, '/api/v1/namespaces', { token: null })).status, 401);
    } finally {
      await withCerts.stop();
    }
  });
});
