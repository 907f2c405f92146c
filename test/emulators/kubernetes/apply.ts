// An approximation of server-side apply (PATCH application/apply-patch+yaml). The applied
// configuration is merged onto the live object like a strategic merge patch, and the fields this
// field manager applied last time but no longer applies are removed. Ownership is tracked per
// manager as the last applied configuration, not as field sets: conflicts between managers are
// never reported (force=false behaves like force=true). managedFields entries are written so
// clients that read them see one per manager, with a fieldsV1 derived from what it sent.
import { canonicalJson, clone, isObject, mergeKeyOf, strategicMergePatch, type JsonObject } from './patch';

/** A strategic merge patch that removes what `previous` had and `next` drops, then sets `next`. */
function withRemovals(previous: unknown, next: unknown, field: string): unknown {
  if (isObject(previous) && isObject(next)) {
    const patch: JsonObject = {};
    for (const key of Object.keys(previous)) if (!(key in next)) patch[key] = null;
    for (const [key, value] of Object.entries(next)) patch[key] = withRemovals(previous[key], value, key);
    return patch;
  }
  if (Array.isArray(previous) && Array.isArray(next)) {
    const mergeKey = mergeKeyOf(field, [...(previous as unknown[]), ...(next as unknown[])]);
    if (!mergeKey) return clone(next);
    const keyOf = (item: unknown) => (isObject(item) ? JSON.stringify(item[mergeKey]) : undefined);
    const patch: unknown[] = next.map((item) =>
      withRemovals(
        previous.find((p) => keyOf(p) === keyOf(item)),
        item,
        '',
      ),
    );
    for (const old of previous) {
      if (isObject(old) && !next.some((n) => keyOf(n) === keyOf(old))) {
        patch.push({ [mergeKey]: old[mergeKey], $patch: 'delete' });
      }
    }
    return patch;
  }
  return clone(next);
}

/** The object after `manager` applies `applied`, given what it applied before (if anything). */
export function serverSideApply(
  current: JsonObject | undefined,
  applied: JsonObject,
  previousApplied: JsonObject | undefined,
): JsonObject {
  const patch = withRemovals(previousApplied ?? {}, applied, '');
  return strategicMergePatch(current ?? {}, patch) as JsonObject;
}

/** The fieldsV1 set (`f:`/`k:` keys) of the fields present in `value`. */
export function fieldsV1(value: unknown, field = ''): JsonObject {
  if (isObject(value)) {
    const set: JsonObject = {};
    for (const [key, child] of Object.entries(value)) {
      if (key === 'apiVersion' || key === 'kind' || key.startsWith('$')) continue;
      const sub = fieldsV1(child, key);
      set[`f:${key}`] = Object.keys(sub).length > 0 ? { '.': {}, ...sub } : {};
    }
    return set;
  }
  if (Array.isArray(value)) {
    const mergeKey = mergeKeyOf(field, value);
    if (!mergeKey) return {};
    const set: JsonObject = {};
    for (const item of value) {
      if (!isObject(item)) continue;
      set[`k:${JSON.stringify({ [mergeKey]: item[mergeKey] })}`] = { '.': {}, ...fieldsV1(item) };
    }
    return set;
  }
  return {};
}

/** metadata.managedFields with the entry of `manager` (and operation) replaced. */
export function recordManager(
  obj: JsonObject,
  manager: string,
  operation: 'Apply' | 'Update',
  sent: unknown,
): void {
  const meta = (obj['metadata'] ??= {}) as JsonObject;
  const entries = Array.isArray(meta['managedFields']) ? (meta['managedFields'] as JsonObject[]) : [];
  const sentFields = fieldsV1(isObject(sent) ? { ...sent, status: undefined } : {});
  delete sentFields['f:status'];
  const meta1 = sentFields['f:metadata'];
  if (isObject(meta1)) {
    for (const k of ['f:resourceVersion', 'f:uid', 'f:creationTimestamp', 'f:generation', 'f:managedFields'])
      delete meta1[k];
  }
  const previous = entries.find((e) => e['manager'] === manager && e['operation'] === operation);
  if (previous && canonicalJson(previous['fieldsV1']) === canonicalJson(sentFields)) return; // same fields: keep its time
  const entry: JsonObject = {
    manager,
    operation,
    apiVersion: obj['apiVersion'],
    time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
    fieldsType: 'FieldsV1',
    fieldsV1: sentFields,
  };
  meta['managedFields'] = [
    ...entries.filter((e) => !(e['manager'] === manager && e['operation'] === operation)),
    entry,
  ];
}
