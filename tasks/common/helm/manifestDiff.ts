import YAML from 'yaml';
import { CHANGE_CAUSE_ANNOTATION } from './postRender/annotateWorkloads';
import { unifiedDiff } from './unifiedDiff';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Annotations that change on every run by design and would make every deploy look like a change. */
const IGNORED_ANNOTATIONS = [CHANGE_CAUSE_ANNOTATION, 'postrenderer.helm.sh/postrender-filename'];

/** What the diff shows instead of a Secret's data and of values registered as secrets. */
export const REDACTED = '(redacted)';
const REDACTED_CHANGED = '(redacted, changed)';

/** One Kubernetes object of a release manifest. */
interface ManifestObject {
  /** API group, kind, namespace and name: what makes two renderings the same object. */
  readonly id: string;
  /** `Deployment/web`, with ` (namespace apps)` when the manifest names one. */
  readonly title: string;
  readonly body: Json;
}

export type ChangeKind = 'added' | 'changed' | 'removed';

export interface ObjectChange {
  readonly title: string;
  readonly change: ChangeKind;
  /** Unified diff hunks, redacted. */
  readonly diff: readonly string[];
}

function describe(body: Json): ManifestObject | undefined {
  const metadata = isObject(body['metadata']) ? body['metadata'] : {};
  const [kind, name, apiVersion] = [body['kind'], metadata['name'], body['apiVersion']];
  if (typeof kind !== 'string' || typeof name !== 'string') return undefined;
  const annotations = isObject(metadata['annotations']) ? metadata['annotations'] : {};
  if ('helm.sh/hook' in annotations) return undefined; // hooks are not part of the release manifest
  const group = typeof apiVersion === 'string' && apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const namespace = typeof metadata['namespace'] === 'string' ? metadata['namespace'] : '';
  return {
    id: [group, kind, namespace, name].join('\u0000'),
    title: `${kind}/${name}${namespace ? ` (namespace ${namespace})` : ''}`,
    body,
  };
}

/** The objects of a multi-document manifest (`kind: ...List` items included), hooks left out. */
export function manifestObjects(text: string): Map<string, ManifestObject> {
  const objects = new Map<string, ManifestObject>();
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new Error(`a rendered document is not valid YAML: ${doc.errors[0]?.message}`);
    const body: unknown = doc.toJS();
    if (!isObject(body)) continue;
    const items =
      typeof body['kind'] === 'string' && body['kind'].endsWith('List') && Array.isArray(body['items'])
        ? (body['items'] as unknown[])
        : [body];
    for (const item of items) {
      const object = isObject(item) ? describe(item) : undefined;
      if (object) objects.set(object.id, object);
    }
  }
  return objects;
}

/** A deep copy without the annotations every run changes (and an annotations map left empty by that). */
function normalized(body: Json): Json {
  const copy = structuredClone(body);
  const metadata = copy['metadata'];
  if (isObject(metadata) && isObject(metadata['annotations'])) {
    const annotations = metadata['annotations'];
    for (const key of IGNORED_ANNOTATIONS) delete annotations[key];
    if (Object.keys(annotations).length === 0) delete metadata['annotations'];
  }
  return copy;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value))
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/**
 * The forms a secret takes in rendered objects: as given, JSON-escaped (inside a JSON document in
 * a ConfigMap), base64 (`b64enc`), URL-encoded and line by line; longest first so a longer form wins.
 */
function secretForms(secrets: readonly string[]): string[] {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (!secret) continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
    forms.add(Buffer.from(secret, 'utf8').toString('base64'));
    forms.add(encodeURIComponent(secret));
    for (const line of secret.split(/\r?\n/)) if (line.trim()) forms.add(line.trim());
  }
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

/** Every string in `value` with the secret forms replaced. */
function redactStrings(value: unknown, forms: readonly string[]): unknown {
  if (typeof value === 'string') return forms.reduce((text, form) => text.split(form).join(REDACTED), value);
  if (Array.isArray(value)) return value.map((v) => redactStrings(v, forms));
  if (isObject(value))
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactStrings(v, forms)]));
  return value;
}

/**
 * A Secret's `data` and `stringData` values replaced: kept values by `(redacted)` on both sides, a
 * changed or new value by `(redacted, changed)` on the new side, so the diff says which key changed
 * and never what it holds.
 */
function redactSecretData(before: Json | undefined, after: Json | undefined): void {
  for (const field of ['data', 'stringData']) {
    const old = before && isObject(before[field]) ? before[field] : undefined;
    const now = after && isObject(after[field]) ? after[field] : undefined;
    if (now)
      for (const key of Object.keys(now))
        now[key] =
          old && key in old && canonical(old[key]) === canonical(now[key]) ? REDACTED : REDACTED_CHANGED;
    if (old) for (const key of Object.keys(old)) old[key] = REDACTED;
  }
}

const isSecret = (body: Json | undefined): boolean =>
  body?.['kind'] === 'Secret' && body['apiVersion'] === 'v1';

/** The two sides (copies, redacted in place) as YAML text, empty for a side that does not exist. */
function redactedTexts(
  before: Json | undefined,
  after: Json | undefined,
  forms: readonly string[],
): [string, string] {
  if (isSecret(before) || isSecret(after)) redactSecretData(before, after);
  const [b, a] = [before, after].map((side) => (side ? (redactStrings(side, forms) as Json) : undefined));
  const text = (side: Json | undefined) => (side ? YAML.stringify(side, { lineWidth: 0 }) : '');
  return [text(b), text(a)];
}

/**
 * Compares the live release's manifest with a new rendering, object by object: what would be
 * added, changed or removed, each with a redacted unified diff. Objects come out in the new
 * rendering's order, removed ones last.
 */
export function diffManifests(live: string, rendered: string, secrets: readonly string[]): ObjectChange[] {
  const before = manifestObjects(live);
  const after = manifestObjects(rendered);
  const forms = secretForms(secrets);
  const changes: ObjectChange[] = [];
  const record = (title: string, change: ChangeKind, old: Json | undefined, now: Json | undefined) => {
    const diff = unifiedDiff(...redactedTexts(old, now, forms));
    changes.push({ title, change, diff: diff.length > 0 ? diff : ['(only redacted values differ)'] });
  };
  for (const [id, object] of after) {
    const previous = before.get(id);
    const now = normalized(object.body);
    if (!previous) record(object.title, 'added', undefined, now);
    else {
      const old = normalized(previous.body);
      if (canonical(old) !== canonical(now)) record(object.title, 'changed', old, now);
    }
  }
  for (const [id, object] of before) {
    if (!after.has(id)) record(object.title, 'removed', normalized(object.body), undefined);
  }
  return changes;
}
