// The patch types of the Kubernetes API: JSON merge patch (RFC 7386), JSON patch (RFC 6902) and
// an approximation of strategic merge patch: maps merge, `null` deletes, lists of known fields merge
// by their merge key (containers by `name`, volumeMounts by `mountPath`...), other lists replace.
// Directives: `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<list>` (used to
// order keyed lists) and `$deleteFromPrimitiveList/<list>` are honoured on maps and keyed lists;
// merge keys come from a table of field names, not from the OpenAPI schema.

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export const clone = <T>(v: T): T => structuredClone(v);

export class PatchError extends Error {}

/**
 * JSON with sorted keys, for comparisons. With `loose`, nulls and empty maps are left out too
 * (`creationTimestamp: null` and `resources: {}` as clients send them back).
 */
export function canonicalJson(value: unknown, loose = false): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v, loose)).join(',')}]`;
  if (isObject(value)) {
    const entries = Object.entries(value)
      .filter(
        ([, v]) =>
          v !== undefined && !(loose && (v === null || (isObject(v) && canonicalJson(v, true) === '{}'))),
      )
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v, loose)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** RFC 7386: objects merge recursively, `null` removes, anything else replaces. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const result: JsonObject = isObject(target) ? clone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: unknown, path: string): [container: unknown, key: string] {
  const parts = pointer(path);
  const key = parts.pop();
  if (key === undefined) throw new PatchError('cannot address the document root');
  let node = doc;
  for (const p of parts) {
    node = Array.isArray(node) ? node[Number(p)] : isObject(node) ? node[p] : undefined;
    if (node === undefined) throw new PatchError(`path ${path} does not exist`);
  }
  return [node, key];
}

function getAt(doc: unknown, path: string): unknown {
  let node = doc;
  for (const p of pointer(path)) {
    node = Array.isArray(node) ? node[Number(p)] : isObject(node) ? node[p] : undefined;
    if (node === undefined) throw new PatchError(`path ${path} does not exist`);
  }
  return node;
}

function removeAt(doc: unknown, path: string): unknown {
  const [container, key] = parentOf(doc, path);
  if (Array.isArray(container)) {
    const index = Number(key);
    if (!(index >= 0 && index < container.length)) throw new PatchError(`no element at ${path}`);
    return container.splice(index, 1)[0];
  }
  if (!isObject(container) || !(key in container)) throw new PatchError(`path ${path} does not exist`);
  const old = container[key];
  delete container[key];
  return old;
}

function addAt(doc: unknown, path: string, value: unknown, replace: boolean): unknown {
  if (path === '') return value;
  const [container, key] = parentOf(doc, path);
  if (Array.isArray(container)) {
    const index = key === '-' ? container.length : Number(key);
    if (!(index >= 0 && index <= container.length)) throw new PatchError(`index out of range at ${path}`);
    container.splice(index, replace ? 1 : 0, value);
  } else if (isObject(container)) {
    if (replace && !(key in container)) throw new PatchError(`path ${path} does not exist`);
    container[key] = value;
  } else throw new PatchError(`path ${path} does not exist`);
  return doc;
}

/** RFC 6902 operations: add, remove, replace, move, copy, test. */
export function jsonPatch(target: unknown, operations: unknown): unknown {
  if (!Array.isArray(operations)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = clone(target);
  for (const raw of operations) {
    const op = raw as { op?: string; path?: string; from?: string; value?: unknown };
    const path = op.path ?? '';
    switch (op.op) {
      case 'add':
      case 'replace':
        doc = addAt(doc, path, clone(op.value), op.op === 'replace');
        break;
      case 'remove':
        removeAt(doc, path);
        break;
      case 'move':
        doc = addAt(doc, path, removeAt(doc, op.from ?? ''), false);
        break;
      case 'copy':
        doc = addAt(doc, path, clone(getAt(doc, op.from ?? '')), false);
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, path)) !== JSON.stringify(op.value)) {
          throw new PatchError(`test operation failed at ${path}`);
        }
        break;
      default:
        throw new PatchError(`unknown JSON patch operation ${String(op.op)}`);
    }
  }
  return doc;
}

/** Merge keys of keyed lists by field name (the `patchMergeKey` tags of k8s.io/api). */
const MERGE_KEYS: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumes: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  ownerReferences: 'uid',
  conditions: 'type',
  topologySpreadConstraints: 'topologyKey',
  resourceClaims: 'name',
};

/** The merge key of a list field, or undefined when the list is replaced as a whole. */
export function mergeKeyOf(field: string, items: readonly unknown[]): string | undefined {
  if (field === 'ports')
    return items.some((i) => isObject(i) && 'containerPort' in i) ? 'containerPort' : 'port';
  return MERGE_KEYS[field];
}

const DIRECTIVE = '$patch';
const keyOf = (item: unknown, mergeKey: string) =>
  isObject(item) ? JSON.stringify(item[mergeKey] ?? null) : JSON.stringify(item);

function orderBy(list: unknown[], order: unknown, mergeKey: string | undefined): unknown[] {
  if (!Array.isArray(order)) return list;
  const wanted = order.map((o) => (mergeKey ? keyOf(o, mergeKey) : JSON.stringify(o)));
  const rank = (item: unknown) => {
    const i = wanted.indexOf(mergeKey ? keyOf(item, mergeKey) : JSON.stringify(item));
    return i < 0 ? wanted.length : i;
  };
  return list
    .map((item, index) => ({ item, index }))
    .sort((a, b) => rank(a.item) - rank(b.item) || a.index - b.index)
    .map((e) => e.item);
}

function mergeList(field: string, target: unknown, patch: unknown[]): unknown[] {
  const current: unknown[] = Array.isArray(target) ? target : [];
  const mergeKey = mergeKeyOf(field, [...current, ...patch]);
  if (patch.some((p) => isObject(p) && p[DIRECTIVE] === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p[DIRECTIVE] === 'replace')).map(clone);
  }
  if (!mergeKey) return clone(patch);
  const result = clone(current);
  for (const item of patch) {
    const index = result.findIndex((r) => keyOf(r, mergeKey) === keyOf(item, mergeKey));
    if (isObject(item) && item[DIRECTIVE] === 'delete') {
      if (index >= 0) result.splice(index, 1);
    } else if (index >= 0) result[index] = strategicMergePatch(result[index], item);
    else result.push(strategicMergePatch(undefined, item));
  }
  return result;
}

/** Strategic merge patch (see the header for what is and is not modelled). */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const directive = patch[DIRECTIVE];
  const rest = Object.fromEntries(Object.entries(patch).filter(([k]) => k !== DIRECTIVE));
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return strategicMergePatch(undefined, rest);
  let result: JsonObject = isObject(target) ? clone(target) : {};
  const retain = rest['$retainKeys'];
  if (Array.isArray(retain)) {
    result = Object.fromEntries(Object.entries(result).filter(([k]) => retain.includes(k)));
  }
  for (const [key, value] of Object.entries(rest)) {
    if (key === '$retainKeys' || key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      const list = result[field];
      if (Array.isArray(list) && Array.isArray(value)) result[field] = list.filter((v) => !value.includes(v));
      continue;
    }
    if (value === null) delete result[key];
    else if (Array.isArray(value)) result[key] = mergeList(key, result[key], value);
    else {
      const merged = isObject(value) ? strategicMergePatch(result[key], value) : clone(value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    }
  }
  for (const [key, order] of Object.entries(rest)) {
    if (!key.startsWith('$setElementOrder/')) continue;
    const field = key.slice('$setElementOrder/'.length);
    const list = result[field];
    if (Array.isArray(list)) result[field] = orderBy(list, order, mergeKeyOf(field, list));
  }
  return result;
}
