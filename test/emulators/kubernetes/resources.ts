// The resource types the Kubernetes emulator serves: group, version, kind, plural, scope. Built-in
// types are fixed; CustomResourceDefinitions stored in the emulator add their own versions.

export interface ResourceType {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  /** The URL segment, e.g. `deployments`. */
  readonly plural: string;
  readonly singular: string;
  readonly namespaced: boolean;
  readonly shortNames: readonly string[];
  /** Subresources served (`status`, `scale`); only listed in discovery. */
  readonly subresources: readonly string[];
}

/** `apps/v1`, or `v1` for the core group. */
export function apiVersionOf(type: Pick<ResourceType, 'group' | 'version'>): string {
  return type.group === '' ? type.version : `${type.group}/${type.version}`;
}

/** Splits `apps/v1` into group and version (`v1` is the core group). */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

type Spec = [
  kind: string,
  plural: string,
  namespaced: boolean,
  shortNames?: string[],
  subresources?: string[],
];

const BUILT_IN: Record<string, Spec[]> = {
  v1: [
    ['Namespace', 'namespaces', false, ['ns'], ['status']],
    ['Secret', 'secrets', true],
    ['ConfigMap', 'configmaps', true, ['cm']],
    ['Service', 'services', true, ['svc'], ['status']],
    ['ServiceAccount', 'serviceaccounts', true, ['sa']],
    ['Pod', 'pods', true, ['po'], ['status']],
    ['Event', 'events', true, ['ev']],
    ['PersistentVolumeClaim', 'persistentvolumeclaims', true, ['pvc'], ['status']],
    ['PersistentVolume', 'persistentvolumes', false, ['pv'], ['status']],
    ['Endpoints', 'endpoints', true, ['ep']],
    ['ResourceQuota', 'resourcequotas', true, ['quota'], ['status']],
    ['LimitRange', 'limitranges', true, ['limits']],
    ['Node', 'nodes', false, ['no'], ['status']],
  ],
  'apps/v1': [
    ['Deployment', 'deployments', true, ['deploy'], ['status', 'scale']],
    ['StatefulSet', 'statefulsets', true, ['sts'], ['status', 'scale']],
    ['DaemonSet', 'daemonsets', true, ['ds'], ['status']],
    ['ReplicaSet', 'replicasets', true, ['rs'], ['status', 'scale']],
    ['ControllerRevision', 'controllerrevisions', true],
  ],
  'batch/v1': [
    ['Job', 'jobs', true, [], ['status']],
    ['CronJob', 'cronjobs', true, ['cj'], ['status']],
  ],
  'networking.k8s.io/v1': [
    ['Ingress', 'ingresses', true, ['ing'], ['status']],
    ['IngressClass', 'ingressclasses', false],
    ['NetworkPolicy', 'networkpolicies', true, ['netpol']],
  ],
  'policy/v1': [['PodDisruptionBudget', 'poddisruptionbudgets', true, ['pdb'], ['status']]],
  'rbac.authorization.k8s.io/v1': [
    ['Role', 'roles', true],
    ['RoleBinding', 'rolebindings', true],
    ['ClusterRole', 'clusterroles', false],
    ['ClusterRoleBinding', 'clusterrolebindings', false],
  ],
  'autoscaling/v2': [['HorizontalPodAutoscaler', 'horizontalpodautoscalers', true, ['hpa'], ['status']]],
  'apiextensions.k8s.io/v1': [
    ['CustomResourceDefinition', 'customresourcedefinitions', false, ['crd', 'crds'], ['status']],
  ],
};

function builtInTypes(): ResourceType[] {
  return Object.entries(BUILT_IN).flatMap(([apiVersion, specs]) => {
    const { group, version } = splitApiVersion(apiVersion);
    return specs.map(([kind, plural, namespaced, shortNames = [], subresources = []]) => ({
      group,
      version,
      kind,
      plural,
      singular: kind.toLowerCase(),
      namespaced,
      shortNames,
      subresources,
    }));
  });
}

/** The served types: built-ins plus whatever the stored CRDs declare. */
export class ResourceCatalog {
  private readonly builtIn = builtInTypes();
  private custom: ResourceType[] = [];

  all(): readonly ResourceType[] {
    return [...this.builtIn, ...this.custom];
  }

  /** Group versions in discovery order: core first, then groups by name. */
  groupVersions(): { group: string; versions: string[] }[] {
    const groups = new Map<string, string[]>();
    for (const t of this.all()) {
      const versions = groups.get(t.group) ?? [];
      if (!versions.includes(t.version)) versions.push(t.version);
      groups.set(t.group, versions);
    }
    return [...groups.entries()].map(([group, versions]) => ({ group, versions }));
  }

  inGroupVersion(group: string, version: string): ResourceType[] {
    return this.all().filter((t) => t.group === group && t.version === version);
  }

  byPlural(group: string, version: string, plural: string): ResourceType | undefined {
    return this.all().find((t) => t.group === group && t.version === version && t.plural === plural);
  }

  byKind(apiVersion: string, kind: string): ResourceType | undefined {
    const { group, version } = splitApiVersion(apiVersion);
    return this.all().find((t) => t.group === group && t.version === version && t.kind === kind);
  }

  /** Replaces the custom types with those the given CRD objects declare (served versions only). */
  setCustomResourceDefinitions(crds: readonly unknown[]): void {
    this.custom = crds.flatMap((crd) => typesOfCrd(crd));
  }
}

interface CrdShape {
  spec?: {
    group?: string;
    scope?: string;
    names?: { kind?: string; plural?: string; singular?: string; shortNames?: string[] };
    versions?: { name?: string; served?: boolean; subresources?: Record<string, unknown> }[];
  };
}

function typesOfCrd(crd: unknown): ResourceType[] {
  const spec = (crd as CrdShape).spec;
  const names = spec?.names;
  if (!spec?.group || !names?.kind || !names.plural) return [];
  return (spec.versions ?? [])
    .filter((v) => v.name && v.served !== false)
    .map((v) => ({
      group: spec.group ?? '',
      version: v.name ?? '',
      kind: names.kind ?? '',
      plural: names.plural ?? '',
      singular: names.singular ?? names.kind?.toLowerCase() ?? '',
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames ?? [],
      subresources: Object.keys(v.subresources ?? {}),
    }));
}
