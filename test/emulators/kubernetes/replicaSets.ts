// The Deployment controller's ReplicaSets: one per pod template, owned by the Deployment, named
// `<deployment>-<template hash>` with the `pod-template-hash` label, annotated with
// `deployment.kubernetes.io/revision` (a template seen again, as after a rollback, gets the next
// revision) and with the Deployment's own annotations (`kubernetes.io/change-cause`...), kept in
// sync as they change. Older ReplicaSets are scaled to zero. `kubectl rollout history` reads these.
import crypto from 'node:crypto';
import { canonicalJson, clone, isObject, type JsonObject } from './patch';
import { metadataOf, nameOf, namespaceOf, type ObjectStore } from './store';

const REPLICASETS = 'apps/replicasets';
export const REVISION = 'deployment.kubernetes.io/revision';
/** Deployment annotations the controller does not copy onto ReplicaSets. */
const NOT_COPIED = new Set([REVISION, 'kubectl.kubernetes.io/last-applied-configuration']);

const specOf = (obj: JsonObject): JsonObject => (isObject(obj['spec']) ? obj['spec'] : {});
const annotationsOf = (obj: JsonObject): JsonObject => {
  const a = metadataOf(obj)['annotations'];
  return isObject(a) ? a : {};
};
const revisionOf = (rs: JsonObject) => Number(annotationsOf(rs)[REVISION] ?? 0);

/** The pod template without its pod-template-hash label, in canonical form, for comparisons. */
function withoutHashLabel(template: unknown): string {
  const copy = clone(template ?? {}) as JsonObject;
  const labels = isObject(copy['metadata']) ? copy['metadata']['labels'] : undefined;
  if (isObject(labels)) delete labels['pod-template-hash'];
  return canonicalJson(copy, true);
}

export const templateHash = (template: unknown) =>
  crypto.createHash('sha256').update(withoutHashLabel(template)).digest('hex').slice(0, 10);

function ownedReplicaSets(store: ObjectStore, deployment: JsonObject): JsonObject[] {
  const uid = metadataOf(deployment)['uid'];
  return store.list(REPLICASETS, namespaceOf(deployment)).filter((rs) => {
    const owners = metadataOf(rs)['ownerReferences'];
    return Array.isArray(owners) && owners.some((o) => isObject(o) && o['uid'] === uid);
  });
}

const copiedAnnotations = (deployment: JsonObject) =>
  Object.fromEntries(Object.entries(annotationsOf(deployment)).filter(([k]) => !NOT_COPIED.has(k)));

function save(store: ObjectStore, rs: JsonObject): JsonObject {
  delete metadataOf(rs)['resourceVersion'];
  return store.update(REPLICASETS, rs);
}

function newReplicaSet(deployment: JsonObject, revision: number): JsonObject {
  const template = specOf(deployment)['template'];
  const hash = templateHash(template);
  const rsTemplate = clone(template ?? {}) as JsonObject;
  const tMeta = metadataOf(rsTemplate);
  const labels = { ...(isObject(tMeta['labels']) ? tMeta['labels'] : {}), 'pod-template-hash': hash };
  tMeta['labels'] = labels;
  const selector = clone(specOf(deployment)['selector'] ?? {}) as JsonObject;
  const matchLabels = isObject(selector['matchLabels']) ? selector['matchLabels'] : {};
  selector['matchLabels'] = { ...matchLabels, 'pod-template-hash': hash };
  const dMeta = metadataOf(deployment);
  return {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${nameOf(deployment)}-${hash}`,
      namespace: namespaceOf(deployment),
      labels,
      annotations: { ...copiedAnnotations(deployment), [REVISION]: String(revision) },
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          name: nameOf(deployment),
          uid: dMeta['uid'],
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: { replicas: specOf(deployment)['replicas'] ?? 1, selector, template: rsTemplate },
  };
}

/** Ensures the ReplicaSet of the Deployment's current template, with `readyCount` ready; returns its revision. */
export function syncReplicaSet(store: ObjectStore, deployment: JsonObject, readyCount: number): string {
  const owned = ownedReplicaSets(store, deployment);
  const wanted = withoutHashLabel(specOf(deployment)['template']);
  const maxRevision = Math.max(0, ...owned.map(revisionOf));
  const replicas = Number(specOf(deployment)['replicas'] ?? 1);
  let current = owned.find((rs) => withoutHashLabel(specOf(rs)['template']) === wanted);
  if (!current) {
    current = store.create(REPLICASETS, newReplicaSet(deployment, maxRevision + 1));
  } else {
    const revision = revisionOf(current) === maxRevision ? maxRevision : maxRevision + 1;
    metadataOf(current)['annotations'] = { ...copiedAnnotations(deployment), [REVISION]: String(revision) };
    specOf(current)['replicas'] = replicas;
    current = save(store, current);
  }
  // the status observes the generation the spec write above produced
  current['status'] = {
    replicas,
    fullyLabeledReplicas: replicas,
    readyReplicas: readyCount,
    availableReplicas: readyCount,
    observedGeneration: metadataOf(current)['generation'],
  };
  current = save(store, current);
  for (const rs of owned) {
    if (nameOf(rs) === nameOf(current) || specOf(rs)['replicas'] === 0) continue;
    specOf(rs)['replicas'] = 0;
    rs['status'] = { replicas: 0, observedGeneration: Number(metadataOf(rs)['generation'] ?? 1) + 1 };
    save(store, rs);
  }
  return String(annotationsOf(current)[REVISION]);
}

/** Copies changed Deployment annotations (a new change cause) onto its current ReplicaSet. */
export function syncReplicaSetAnnotations(store: ObjectStore, deployment: JsonObject): void {
  const wanted = withoutHashLabel(specOf(deployment)['template']);
  const current = ownedReplicaSets(store, deployment).find(
    (rs) => withoutHashLabel(specOf(rs)['template']) === wanted,
  );
  if (!current) return;
  const next = { ...copiedAnnotations(deployment), [REVISION]: annotationsOf(current)[REVISION] };
  if (JSON.stringify(next) === JSON.stringify(annotationsOf(current))) return;
  metadataOf(current)['annotations'] = next;
  save(store, current);
}
