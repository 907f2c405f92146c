// What the API server fills in when an object is written: the defaults Helm's readiness checks
// dereference (Deployment replicas and rolling-update strategy, StatefulSet and DaemonSet update
// strategies), Service cluster IPs and port defaults, Namespace phase and name label, CRD status.
// Pod template defaults (dnsPolicy, restartPolicy...) are NOT filled in.
import { isObject, type JsonObject } from './patch';
import { metadataOf, nameOf } from './store';

function spec(obj: JsonObject): JsonObject {
  if (!isObject(obj['spec'])) obj['spec'] = {};
  return obj['spec'] as JsonObject;
}

function defaultWorkload(obj: JsonObject): void {
  const s = spec(obj);
  switch (obj['kind']) {
    case 'Deployment': {
      s['replicas'] ??= 1;
      s['revisionHistoryLimit'] ??= 10;
      s['progressDeadlineSeconds'] ??= 600;
      const strategy = (s['strategy'] ??= {}) as JsonObject;
      strategy['type'] ??= 'RollingUpdate';
      if (strategy['type'] === 'RollingUpdate') {
        const ru = (strategy['rollingUpdate'] ??= {}) as JsonObject;
        ru['maxUnavailable'] ??= '25%';
        ru['maxSurge'] ??= '25%';
      }
      break;
    }
    case 'StatefulSet': {
      s['replicas'] ??= 1;
      s['podManagementPolicy'] ??= 'OrderedReady';
      s['revisionHistoryLimit'] ??= 10;
      const strategy = (s['updateStrategy'] ??= {}) as JsonObject;
      strategy['type'] ??= 'RollingUpdate';
      if (strategy['type'] === 'RollingUpdate')
        ((strategy['rollingUpdate'] ??= {}) as JsonObject)['partition'] ??= 0;
      break;
    }
    case 'DaemonSet': {
      s['revisionHistoryLimit'] ??= 10;
      const strategy = (s['updateStrategy'] ??= {}) as JsonObject;
      strategy['type'] ??= 'RollingUpdate';
      if (strategy['type'] === 'RollingUpdate') {
        const ru = (strategy['rollingUpdate'] ??= {}) as JsonObject;
        ru['maxUnavailable'] ??= 1;
        ru['maxSurge'] ??= 0;
      }
      break;
    }
    case 'Job':
      s['completions'] ??= 1;
      s['parallelism'] ??= 1;
      s['backoffLimit'] ??= 6;
      break;
  }
}

let nextClusterIp = 1;

function defaultService(obj: JsonObject, previous: JsonObject | undefined): void {
  const s = spec(obj);
  s['type'] ??= 'ClusterIP';
  s['sessionAffinity'] ??= 'None';
  if (s['type'] !== 'ExternalName') {
    const old = previous && isObject(previous['spec']) ? previous['spec']['clusterIP'] : undefined;
    if (s['clusterIP'] === undefined || s['clusterIP'] === '') {
      s['clusterIP'] = old ?? `10.96.${Math.floor(nextClusterIp / 250)}.${(nextClusterIp++ % 250) + 1}`;
    }
    s['clusterIPs'] ??= s['clusterIP'] === 'None' ? ['None'] : [s['clusterIP']];
    s['ipFamilies'] ??= ['IPv4'];
    s['ipFamilyPolicy'] ??= 'SingleStack';
    s['internalTrafficPolicy'] ??= 'Cluster';
  }
  if (Array.isArray(s['ports'])) {
    for (const port of s['ports']) {
      if (!isObject(port)) continue;
      port['protocol'] ??= 'TCP';
      port['targetPort'] ??= port['port'];
    }
  }
}

function defaultCrd(obj: JsonObject): void {
  const s = spec(obj);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition = (type: string, reason: string) => ({
    type,
    status: 'True',
    reason,
    message: '',
    lastTransitionTime: now,
  });
  obj['status'] = {
    acceptedNames: s['names'] ?? {},
    storedVersions: Array.isArray(s['versions'])
      ? s['versions'].filter((v) => isObject(v) && v['storage']).map((v) => (v as JsonObject)['name'])
      : [],
    conditions: [condition('NamesAccepted', 'NoConflicts'), condition('Established', 'InitialNamesAccepted')],
  };
}

/** Fills in server-side defaults in place; `previous` is the stored object on updates. */
export function applyDefaults(obj: JsonObject, previous?: JsonObject): void {
  switch (obj['kind']) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
    case 'Job':
      defaultWorkload(obj);
      break;
    case 'Service':
      defaultService(obj, previous);
      break;
    case 'Namespace': {
      const labels = (metadataOf(obj)['labels'] ??= {}) as JsonObject;
      labels['kubernetes.io/metadata.name'] = nameOf(obj);
      spec(obj)['finalizers'] ??= ['kubernetes'];
      obj['status'] = { phase: 'Active' };
      break;
    }
    case 'CustomResourceDefinition':
      defaultCrd(obj);
      break;
    case 'Secret':
      obj['type'] ??= 'Opaque';
      break;
  }
}
