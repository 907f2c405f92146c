// The Kubernetes emulator's watches and controllers over HTTPS: watch-list with the initial-events
// bookmark, watches from a resourceVersion, ReplicaSets and garbage collection, Jobs, PVCs, Events.
import assert from 'node:assert/strict';
import { startKubernetesEmulator, type KubernetesEmulator } from './index';
import { at, deployment } from './testkit/objects';
import { apiRequest, openWatch } from './testkit/apiClient';

const NS = 'team';

describe('Kubernetes emulator watches and controllers', function () {
  this.timeout(20_000);
  let k8s: KubernetesEmulator;
  const deployments = `/apis/apps/v1/namespaces/${NS}/deployments`;

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

  it('watches with initial events, the initial-events-end bookmark, then the workload becoming ready', async () => {
    await post(deployments, deployment('watched'));
    const watch = await openWatch(
      k8s,
      `${deployments}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&fieldSelector=metadata.name%3Dwatched`,
    );
    try {
      const added = await watch.next((e) => e.type === 'ADDED');
      assert.equal(at(added.object, 'metadata', 'name'), 'watched');
      const bookmark = await watch.next((e) => e.type === 'BOOKMARK');
      assert.equal(at(bookmark.object, 'metadata', 'annotations', 'k8s.io/initial-events-end'), 'true');
      const ready = await watch.next(
        (e) => e.type === 'MODIFIED' && at(e.object, 'status', 'readyReplicas') === 1,
      );
      assert.equal(
        at(ready.object, 'status', 'observedGeneration'),
        at(ready.object, 'metadata', 'generation'),
      );
      assert.ok(
        watch.events
          .filter((e) => e.type !== 'BOOKMARK')
          .every((e) => at(e.object, 'metadata', 'name') === 'watched'),
      );
    } finally {
      watch.close();
    }
  });

  it('replays changes after a resourceVersion and ends the watch at timeoutSeconds', async () => {
    const list = await apiRequest(k8s, `/api/v1/namespaces/${NS}/configmaps`);
    const rv = at(list.json, 'metadata', 'resourceVersion') as string;
    await post(`/api/v1/namespaces/${NS}/configmaps`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'later' },
    });
    const watch = await openWatch(
      k8s,
      `/api/v1/namespaces/${NS}/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=1`,
    );
    const added = await watch.next((e) => e.type === 'ADDED');
    assert.equal(at(added.object, 'metadata', 'name'), 'later');
    await watch.ended;
  });

  it('gives a Deployment an owned ReplicaSet, and deleting the Deployment deletes it', async () => {
    await post(deployments, deployment('owner'));
    const watch = await openWatch(
      k8s,
      `/apis/apps/v1/namespaces/${NS}/replicasets?watch=true&labelSelector=app%3Downer`,
    );
    const rs = await watch.next((e) => e.type === 'ADDED');
    assert.equal(at(rs.object, 'metadata', 'ownerReferences', '0', 'name'), 'owner');
    assert.equal(at(rs.object, 'metadata', 'annotations', 'deployment.kubernetes.io/revision'), '1');
    const deleted = await apiRequest(k8s, `${deployments}/owner`, {
      method: 'DELETE',
      contentType: 'application/json',
      body: { propagationPolicy: 'Background' },
    });
    assert.equal(deleted.status, 200);
    await watch.next((e) => e.type === 'DELETED');
    watch.close();
    assert.deepEqual(
      k8s.list('apps/v1', 'ReplicaSet', NS).filter((r) => at(r, 'metadata', 'labels', 'app') === 'owner'),
      [],
    );
  });

  it('completes Jobs, binds PVCs and records a Failed event for a workload that cannot start', async () => {
    await post(`/apis/batch/v1/namespaces/${NS}/jobs`, {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'migrate' },
      spec: { template: { spec: { containers: [{ name: 'm', image: 'm:1' }] } } },
    });
    await post(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'] },
    });
    await post(deployments, deployment('stuck', 'missing:1'));
    const events = await openWatch(
      k8s,
      `/api/v1/namespaces/${NS}/events?watch=true&fieldSelector=involvedObject.name%3Dstuck`,
    );
    const event = await events.next((e) => e.type === 'ADDED');
    events.close();
    assert.equal(at(event.object, 'reason'), 'Failed');
    assert.match(String(at(event.object, 'message')), /missing:1.*ImagePullBackOff/);
    const job = await openWatch(k8s, `/apis/batch/v1/namespaces/${NS}/jobs?watch=true`);
    await job.next(
      (e) =>
        (at(e.object, 'status', 'conditions') as { type: string }[] | undefined)?.some(
          (c) => c.type === 'Complete',
        ) === true,
    );
    job.close();
    const pvc = await openWatch(k8s, `/api/v1/namespaces/${NS}/persistentvolumeclaims?watch=true`);
    await pvc.next((e) => at(e.object, 'status', 'phase') === 'Bound');
    pvc.close();
    assert.equal(at(k8s.object('apps/v1', 'Deployment', NS, 'stuck'), 'status', 'readyReplicas'), 0);
  });
});
