// Discovery and OpenAPI documents. Discovery is the legacy JSON form (clients that ask for
// aggregated discovery accept it). OpenAPI v3 has one document per group-version that only
// declares, per kind, a PATCH operation with the `fieldValidation` query parameter: enough for
// Helm and kubectl to leave validation to the server and ask for no schemas. OpenAPI v2 is an
// empty document (protobuf or JSON, as asked), so there are no client-side schemas at all.
import crypto from 'node:crypto';
import { apiVersionOf, type ResourceCatalog, type ResourceType } from './resources';

export const KUBERNETES_VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.0' };

export function versionDocument(): object {
  return {
    ...KUBERNETES_VERSION,
    gitCommit: 'emulator',
    gitTreeState: 'clean',
    buildDate: '2024-12-11T00:00:00Z',
    goVersion: 'go1.23.4',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** Kinds `kubectl get all` lists. */
const IN_ALL = new Set([
  'Pod',
  'Service',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'Job',
  'CronJob',
]);

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function coreVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDocument(group: string, versions: string[]): object {
  const entries = versions.map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions: entries, preferredVersion: entries[0] };
}

export function groupList(catalog: ResourceCatalog): object {
  const groups = catalog
    .groupVersions()
    .filter((g) => g.group !== '')
    .map((g) => groupDocument(g.group, g.versions));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function group(catalog: ResourceCatalog, name: string): object | undefined {
  const found = catalog.groupVersions().find((g) => g.group === name && name !== '');
  return found && { kind: 'APIGroup', apiVersion: 'v1', ...groupDocument(found.group, found.versions) };
}

export function resourceList(
  catalog: ResourceCatalog,
  groupName: string,
  version: string,
): object | undefined {
  const types = catalog.inGroupVersion(groupName, version);
  if (types.length === 0) return undefined;
  const resources = types.flatMap((t) => [
    {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames.length > 0 ? { shortNames: t.shortNames } : {}),
      ...(IN_ALL.has(t.kind) ? { categories: ['all'] } : {}),
    },
    ...t.subresources.map((sub) => ({
      name: `${t.plural}/${sub}`,
      singularName: '',
      namespaced: t.namespaced,
      kind: sub === 'scale' ? 'Scale' : t.kind,
      ...(sub === 'scale' ? { group: 'autoscaling', version: 'v1' } : {}),
      verbs: ['get', 'patch', 'update'],
    })),
  ]);
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf(types[0] as ResourceType),
    resources,
  };
}

/** `api/v1` or `apis/<group>/<version>`: the keys of the OpenAPI v3 root document. */
const openApiPath = (g: string, v: string) => (g === '' ? `api/${v}` : `apis/${g}/${v}`);

export function openApiV3Document(
  catalog: ResourceCatalog,
  groupName: string,
  version: string,
): object | undefined {
  const types = catalog.inGroupVersion(groupName, version);
  if (types.length === 0) return undefined;
  const paths: Record<string, object> = {};
  for (const t of types) {
    const prefix = `/${openApiPath(t.group, t.version)}`;
    const path = t.namespaced
      ? `${prefix}/namespaces/{namespace}/${t.plural}/{name}`
      : `${prefix}/${t.plural}/{name}`;
    paths[path] = {
      patch: {
        operationId: `patch${t.kind}`,
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: t.group, version: t.version, kind: t.kind },
        parameters: ['dryRun', 'fieldManager', 'fieldValidation', 'force'].map((name) => ({
          name,
          in: 'query',
          schema: { type: name === 'force' ? 'boolean' : 'string', uniqueItems: true },
        })),
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes (emulator)', version: KUBERNETES_VERSION.gitVersion },
    paths,
    components: { schemas: {} },
  };
}

export function openApiV3Root(catalog: ResourceCatalog): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const { group: g, versions } of catalog.groupVersions()) {
    for (const v of versions) {
      const hash = crypto
        .createHash('sha512')
        .update(JSON.stringify(openApiV3Document(catalog, g, v)))
        .digest('hex')
        .toUpperCase();
      paths[openApiPath(g, v)] = { serverRelativeURL: `/openapi/v3/${openApiPath(g, v)}?hash=${hash}` };
    }
  }
  return { paths };
}

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

export function openApiV2Json(): object {
  return {
    swagger: '2.0',
    info: { title: 'Kubernetes (emulator)', version: KUBERNETES_VERSION.gitVersion },
    paths: {},
    definitions: {},
  };
}
