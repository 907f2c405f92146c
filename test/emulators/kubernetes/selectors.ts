// Label and field selectors as the API server parses them from `labelSelector` and
// `fieldSelector` query parameters. Labels: `k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`,
// `k`, `!k`, `k>n`, `k<n`. Fields: `path=v`, `path==v`, `path!=v` on any dotted path of the object
// (`metadata.name`, `involvedObject.name`, `type`...), values with `\` escapes.

export type Predicate = (obj: unknown) => boolean;

type Labels = Record<string, string>;

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function labelRequirement(text: string): (labels: Labels) => boolean {
  const set = /^([^\s!=<>(),]+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (set) {
    const [, key = '', op, list = ''] = set;
    const values = list
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    return op === 'in'
      ? (l) => key in l && values.includes(l[key] ?? '')
      : (l) => !(key in l) || !values.includes(l[key] ?? '');
  }
  const cmp = /^([^\s!=<>(),]+)\s*(==|=|!=|>|<)\s*([^\s,()]*)$/.exec(text);
  if (cmp) {
    const [, key = '', op, value = ''] = cmp;
    if (op === '!=') return (l) => l[key] !== value;
    if (op === '>' || op === '<') {
      const n = Number(value);
      return (l) => key in l && (op === '>' ? Number(l[key]) > n : Number(l[key]) < n);
    }
    return (l) => l[key] === value;
  }
  const exists = /^(!?)\s*([^\s!=<>(),]+)$/.exec(text);
  if (exists) {
    const [, not, key = ''] = exists;
    return not ? (l) => !(key in l) : (l) => key in l;
  }
  throw new Error(`unable to parse requirement: ${text}`);
}

function labelsOf(obj: unknown): Labels {
  const meta = (obj as { metadata?: { labels?: Labels } } | undefined)?.metadata;
  return meta?.labels ?? {};
}

/** A predicate over objects for a `labelSelector` value; throws on a selector it cannot parse. */
export function parseLabelSelector(selector: string | null | undefined): Predicate {
  if (!selector) return () => true;
  const requirements = splitTopLevel(selector).map(labelRequirement);
  return (obj) => {
    const labels = labelsOf(obj);
    return requirements.every((r) => r(labels));
  };
}

/** Splits on unescaped `,` and unescapes `\,` `\=` `\\`. */
function splitEscaped(text: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '\\' && i + 1 < text.length) current += ch + (text[++i] ?? '');
    else if (ch === ',') {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.filter((p) => p.trim() !== '');
}

const unescape = (text: string) => text.replace(/\\(.)/g, '$1');

function fieldValue(obj: unknown, path: string): string {
  let value: unknown = obj;
  for (const key of path.split('.')) {
    value = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value);
}

/** A predicate over objects for a `fieldSelector` value. */
export function parseFieldSelector(selector: string | null | undefined): Predicate {
  if (!selector) return () => true;
  const requirements = splitEscaped(selector).map((term) => {
    const m = /^\s*([A-Za-z0-9_.-]+)\s*(==|=|!=)(.*)$/s.exec(term);
    if (!m) throw new Error(`invalid field selector: ${term}`);
    const [, path = '', op, raw = ''] = m;
    const value = unescape(raw.trim());
    return op === '!='
      ? (obj: unknown) => fieldValue(obj, path) !== value
      : (obj: unknown) => fieldValue(obj, path) === value;
  });
  return (obj) => requirements.every((r) => r(obj));
}

/** The `matchLabels`/`matchExpressions` of a LabelSelector object as a predicate. */
export function labelSelectorObject(selector: unknown): Predicate {
  const sel = (selector ?? {}) as {
    matchLabels?: Labels;
    matchExpressions?: { key: string; operator: string; values?: string[] }[];
  };
  const terms = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') terms.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') terms.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') terms.push(e.key);
    else if (e.operator === 'DoesNotExist') terms.push(`!${e.key}`);
  }
  return parseLabelSelector(terms.join(','));
}
