// Events the emulator's controllers record: a Warning with reason `Failed` on a workload that
// never becomes ready (image pull back-off), as the kubelet would report for its pods.
import crypto from 'node:crypto';
import { isObject, type JsonObject } from './patch';
import { metadataOf, nameOf, namespaceOf, timestamp, type ObjectStore } from './store';

const EVENTS = '/events';

function firstImage(workload: JsonObject): string {
  const spec = isObject(workload['spec']) ? workload['spec'] : {};
  const template = isObject(spec['template']) ? spec['template'] : {};
  const podSpec = isObject(template['spec']) ? template['spec'] : {};
  const containers = Array.isArray(podSpec['containers']) ? podSpec['containers'] : [];
  const first: unknown = containers[0];
  return isObject(first) && typeof first['image'] === 'string' ? first['image'] : '<none>';
}

/** Records (or counts again) the Failed event of a workload that cannot start. */
export function createWorkloadEvent(store: ObjectStore, workload: JsonObject): JsonObject {
  const namespace = namespaceOf(workload) ?? 'default';
  const meta = metadataOf(workload);
  const image = firstImage(workload);
  const message = `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": not found; Back-off pulling image (ImagePullBackOff)`;
  const existing = store
    .list(EVENTS, namespace)
    .find((e) => isObject(e['involvedObject']) && e['involvedObject']['uid'] === meta['uid']);
  const now = timestamp();
  if (existing) {
    existing['count'] = Number(existing['count'] ?? 1) + 1;
    existing['lastTimestamp'] = now;
    delete metadataOf(existing)['resourceVersion'];
    return store.update(EVENTS, existing);
  }
  return store.create(EVENTS, {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: `${nameOf(workload)}.${crypto.randomBytes(8).toString('hex')}`, namespace },
    involvedObject: {
      apiVersion: workload['apiVersion'],
      kind: workload['kind'],
      namespace,
      name: nameOf(workload),
      uid: meta['uid'],
      resourceVersion: meta['resourceVersion'],
    },
    reason: 'Failed',
    message,
    type: 'Warning',
    source: { component: 'kubelet' },
    reportingComponent: 'kubelet',
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1,
  });
}
