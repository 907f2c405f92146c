// The emulator's controller loop, reacting to store events like kube-controller-manager would,
// without pods or nodes: workloads (Deployment, StatefulSet, DaemonSet) observe their generation at
// once and report every replica ready after `readyDelayMs`; Deployments get one ReplicaSet per pod
// template (owned, with `deployment.kubernetes.io/revision` and the Deployment's annotations such
// as `kubernetes.io/change-cause`); Jobs complete; PVCs bind; LoadBalancer Services get an ingress;
// deleting an object deletes what it owns, deleting a Namespace deletes its contents. Workloads
// named in `failWorkloads` never become ready and get a Warning Event (reason Failed).
import { isObject, type JsonObject } from './patch';
import { REVISION, syncReplicaSet, syncReplicaSetAnnotations, templateHash } from './replicaSets';
import { metadataOf, nameOf, namespaceOf, timestamp, type ObjectStore, type StoreEvent } from './store';
import { createWorkloadEvent } from './events';

export interface ControllerOptions {
  readonly readyDelayMs: number;
  readonly failWorkloads: readonly string[];
}

const DEPLOYMENTS = 'apps/deployments';
const WATCHED = new Set([
  DEPLOYMENTS,
  'apps/statefulsets',
  'apps/daemonsets',
  'batch/jobs',
  '/persistentvolumeclaims',
  '/services',
]);

const specOf = (obj: JsonObject): JsonObject => (isObject(obj['spec']) ? obj['spec'] : {});
const replicasOf = (obj: JsonObject) => Number(specOf(obj)['replicas'] ?? 1);

function condition(type: string, status: boolean, reason: string, message: string): JsonObject {
  const now = timestamp();
  return {
    type,
    status: status ? 'True' : 'False',
    reason,
    message,
    lastUpdateTime: now,
    lastTransitionTime: now,
  };
}

export class Controllers {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: () => void;
  private stopped = false;

  constructor(
    private readonly store: ObjectStore,
    private readonly options: ControllerOptions,
  ) {
    this.unsubscribe = store.subscribe((event) => this.onEvent(event));
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private later(delayMs: number, work: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) work();
    }, delayMs);
    this.timers.add(timer);
  }

  private onEvent(event: StoreEvent): void {
    if (event.type === 'DELETED') {
      this.later(0, () => this.collectGarbage(event));
      return;
    }
    if (!WATCHED.has(event.resource)) return;
    const meta = metadataOf(event.object);
    const status = isObject(event.object['status']) ? event.object['status'] : {};
    const generation = meta['generation'];
    if (generation !== undefined && status['observedGeneration'] === generation) {
      if (event.resource === DEPLOYMENTS) this.later(0, () => this.syncAnnotations(event.object));
      return;
    }
    if (event.resource === '/services' || event.resource === '/persistentvolumeclaims') {
      if (event.type === 'ADDED') this.later(this.options.readyDelayMs, () => this.settle(event));
      return;
    }
    // observe the new generation at once (not ready yet), then become ready after the delay
    this.later(0, () => this.reconcile(event.resource, event.object, false));
    this.later(this.options.readyDelayMs, () => this.reconcile(event.resource, event.object, true));
  }

  /** Writes a status onto the latest stored version, if the object still exists. */
  private writeStatus(resource: string, obj: JsonObject, status: JsonObject, metaChanges: JsonObject = {}) {
    const latest = this.store.get(resource, namespaceOf(obj), nameOf(obj));
    if (!latest || metadataOf(latest)['uid'] !== metadataOf(obj)['uid']) return;
    latest['status'] = status;
    const meta = metadataOf(latest);
    if (Object.keys(metaChanges).length > 0) {
      meta['annotations'] = { ...(isObject(meta['annotations']) ? meta['annotations'] : {}), ...metaChanges };
    }
    delete meta['resourceVersion'];
    this.store.update(resource, latest);
  }

  private reconcile(resource: string, seen: JsonObject, ready: boolean): void {
    const obj = this.store.get(resource, namespaceOf(seen), nameOf(seen));
    if (!obj || metadataOf(obj)['uid'] !== metadataOf(seen)['uid']) return;
    const generation = metadataOf(obj)['generation'];
    if (generation !== metadataOf(seen)['generation']) return; // a newer generation has its own timers
    const failing = this.options.failWorkloads.includes(nameOf(obj));
    if (failing && ready) {
      createWorkloadEvent(this.store, obj);
      return;
    }
    const isReady = ready && !failing;
    const n = replicasOf(obj);
    const readyCount = isReady ? n : 0;
    const common = { observedGeneration: generation };
    switch (obj['kind']) {
      case 'Deployment': {
        const revision = syncReplicaSet(this.store, obj, readyCount);
        this.writeStatus(
          resource,
          obj,
          {
            ...common,
            replicas: n,
            updatedReplicas: n,
            readyReplicas: readyCount,
            availableReplicas: readyCount,
            ...(isReady ? {} : { unavailableReplicas: n }),
            conditions: [
              isReady
                ? condition(
                    'Available',
                    true,
                    'MinimumReplicasAvailable',
                    'Deployment has minimum availability.',
                  )
                : condition(
                    'Available',
                    false,
                    'MinimumReplicasUnavailable',
                    'Deployment does not have minimum availability.',
                  ),
              isReady
                ? condition(
                    'Progressing',
                    true,
                    'NewReplicaSetAvailable',
                    `ReplicaSet "${nameOf(obj)}" has successfully progressed.`,
                  )
                : condition(
                    'Progressing',
                    true,
                    'ReplicaSetUpdated',
                    `ReplicaSet "${nameOf(obj)}" is progressing.`,
                  ),
            ],
          },
          { [REVISION]: revision },
        );
        break;
      }
      case 'StatefulSet': {
        const revision = `${nameOf(obj)}-${templateHash(specOf(obj)['template'])}`;
        const old = isObject(obj['status']) ? obj['status']['currentRevision'] : undefined;
        this.writeStatus(resource, obj, {
          ...common,
          replicas: n,
          readyReplicas: readyCount,
          availableReplicas: readyCount,
          currentReplicas: isReady ? n : 0,
          updatedReplicas: n,
          currentRevision: isReady ? revision : (old ?? revision),
          updateRevision: revision,
          collisionCount: 0,
        });
        break;
      }
      case 'DaemonSet': {
        const count = isReady ? 1 : 0;
        this.writeStatus(resource, obj, {
          ...common,
          desiredNumberScheduled: 1,
          currentNumberScheduled: 1,
          updatedNumberScheduled: 1,
          numberReady: count,
          numberAvailable: count,
          ...(isReady ? {} : { numberUnavailable: 1 }),
          numberMisscheduled: 0,
        });
        break;
      }
      case 'Job':
        this.writeStatus(resource, obj, this.jobStatus(obj, ready, failing));
        break;
    }
  }

  private jobStatus(job: JsonObject, done: boolean, failing: boolean): JsonObject {
    const started = isObject(job['status']) ? job['status']['startTime'] : undefined;
    const status: JsonObject = { startTime: started ?? timestamp(), active: done ? 0 : 1 };
    if (!done) return status;
    if (failing) {
      return {
        ...status,
        failed: 1,
        conditions: [
          condition('Failed', true, 'BackoffLimitExceeded', 'Job has reached the specified backoff limit'),
        ],
      };
    }
    return {
      ...status,
      succeeded: Number(specOf(job)['completions'] ?? 1),
      completionTime: timestamp(),
      conditions: [
        condition(
          'SuccessCriteriaMet',
          true,
          'CompletionsReached',
          'Reached expected number of succeeded pods',
        ),
        condition('Complete', true, 'CompletionsReached', 'Reached expected number of succeeded pods'),
      ],
    };
  }

  private syncAnnotations(seen: JsonObject): void {
    const deployment = this.store.get(DEPLOYMENTS, namespaceOf(seen), nameOf(seen));
    if (deployment && metadataOf(deployment)['uid'] === metadataOf(seen)['uid']) {
      syncReplicaSetAnnotations(this.store, deployment);
    }
  }

  private settle(event: StoreEvent): void {
    const obj = this.store.get(event.resource, namespaceOf(event.object), nameOf(event.object));
    if (!obj) return;
    if (obj['kind'] === 'PersistentVolumeClaim') {
      const spec = specOf(obj);
      spec['volumeName'] ??= `pvc-${String(metadataOf(obj)['uid'])}`;
      obj['status'] = {
        phase: 'Bound',
        accessModes: spec['accessModes'] ?? [],
        capacity: isObject(spec['resources']) ? spec['resources']['requests'] : {},
      };
    } else if (specOf(obj)['type'] === 'LoadBalancer') {
      obj['status'] = { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } };
    } else return;
    delete metadataOf(obj)['resourceVersion'];
    this.store.update(event.resource, obj);
  }

  /** Background cascading deletion: dependents of a deleted object, contents of a deleted Namespace. */
  private collectGarbage(event: StoreEvent): void {
    const uid = metadataOf(event.object)['uid'];
    const namespace = event.resource === '/namespaces' ? nameOf(event.object) : undefined;
    for (const resource of this.store.resources()) {
      for (const obj of this.store.list(resource)) {
        const owners = metadataOf(obj)['ownerReferences'];
        const owned = Array.isArray(owners) && owners.some((o) => isObject(o) && o['uid'] === uid);
        if (owned || (namespace !== undefined && namespaceOf(obj) === namespace)) {
          this.store.delete(resource, namespaceOf(obj), nameOf(obj));
        }
      }
    }
  }
}
