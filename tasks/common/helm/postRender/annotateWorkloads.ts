import YAML, { isMap, type Document } from 'yaml';

export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';

/** Workload kinds whose rollout history shows the change cause, with the API groups they live in. */
const WORKLOADS: Record<string, readonly string[]> = {
  Deployment: ['apps', 'extensions'],
  StatefulSet: ['apps'],
  DaemonSet: ['apps', 'extensions'],
};

export interface AnnotationResult {
  /** The stream with the annotation set; documents that are not workloads are byte-identical. */
  readonly text: string;
  /** `Deployment/web` for each object annotated. */
  readonly annotated: readonly string[];
  /** Documents the YAML parser rejected, passed through unchanged (Helm reports them itself). */
  readonly unparsed: number;
}

function isWorkload(apiVersion: unknown, kind: unknown): kind is string {
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') return false;
  const groups = WORKLOADS[kind];
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  return groups !== undefined && groups.includes(group);
}

/**
 * Sets the annotation on the object at `path` (the document root, or an item of a List) when it is
 * a workload, merging into its existing `metadata.annotations` map (Helm 4 put its own there).
 */
function annotateObject(
  doc: Document,
  path: readonly (string | number)[],
  cause: string,
): string | undefined {
  const kind = doc.getIn([...path, 'kind']);
  if (!isWorkload(doc.getIn([...path, 'apiVersion']), kind)) return undefined;
  const metadata = doc.getIn([...path, 'metadata'], true);
  if (metadata !== undefined && metadata !== null && !isMap(metadata)) return undefined;
  const annotations = doc.getIn([...path, 'metadata', 'annotations'], true);
  if (annotations === undefined || annotations === null || !isMap(annotations)) {
    doc.setIn([...path, 'metadata', 'annotations'], doc.createNode({ [CHANGE_CAUSE_ANNOTATION]: cause }));
  } else {
    annotations.set(CHANGE_CAUSE_ANNOTATION, cause);
  }
  const name = doc.getIn([...path, 'metadata', 'name']);
  return `${kind}/${typeof name === 'string' ? name : '?'}`;
}

/**
 * Sets `metadata.annotations["kubernetes.io/change-cause"]` on every Deployment, StatefulSet and
 * DaemonSet of a rendered multi-document stream (and in `kind: *List` items). The annotation goes on
 * the workload object only, not its pod template: a new value on the template would roll every pod
 * on every deployment, even when nothing else changed. Documents that are not workloads, comments and
 * separators are copied byte for byte; a workload document is re-serialized by the YAML library.
 */
export function annotateWorkloads(text: string, cause: string): AnnotationResult {
  const docs = YAML.parseAllDocuments(text);
  if (!Array.isArray(docs)) return { text, annotated: [], unparsed: 0 }; // an empty stream
  const annotated: string[] = [];
  let unparsed = 0;
  let out = '';
  let at = 0;
  for (const doc of docs) {
    const [start, , end] = doc.range;
    out += text.slice(at, start);
    at = end;
    const original = text.slice(start, end);
    if (doc.errors.length > 0 || !isMap(doc.contents)) {
      if (doc.errors.length > 0) unparsed++;
      out += original;
      continue;
    }
    const found: string[] = [];
    const top = annotateObject(doc, [], cause);
    if (top) found.push(top);
    const kind = doc.get('kind');
    const items = doc.get('items', true);
    if (typeof kind === 'string' && kind.endsWith('List') && YAML.isSeq(items)) {
      items.items.forEach((_, i) => {
        const item = annotateObject(doc, ['items', i], cause);
        if (item) found.push(item);
      });
    }
    if (found.length === 0) {
      out += original;
      continue;
    }
    annotated.push(...found);
    let rendered = doc.toString({ lineWidth: 0 });
    if (!original.endsWith('\n')) rendered = rendered.replace(/\n$/, '');
    out += rendered;
  }
  out += text.slice(at);
  return { text: out, annotated, unparsed };
}
