// The template language of task.json data source bindings (endpointUrl, resultTemplate and the
// paging templates), as Azure DevOps renders it: Mustache/Handlebars style `{{{path}}}` (raw) and
// `{{path}}` (HTML-escaped), plus the helpers the built-in tasks' bindings use:
// `{{#getTokenValue path}}...{{/getTokenValue}}` renders its block with that value as context,
// `{{extractUrlQueryParameter name}}` reads a query parameter of the context (a URL; the name may be
// URL-encoded, `%24skipToken`), `{{isTokenPresent path}}` is `true` or `false`, and
// `{{{ #extractResource id resourcegroups}}}` is the segment after `resourcegroups` in an ARM id.
// Anything else throws, so a binding using a construct this emulation does not know fails its test.

type Context = unknown;

function lookup(context: Context, path: string): unknown {
  if (path === '.' || path === 'this') return context;
  let value: unknown = context;
  for (const key of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

const asText = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : typeof value === 'number' || typeof value === 'boolean'
      ? String(value)
      : value === undefined || value === null
        ? ''
        : JSON.stringify(value);

const escapeHtml = (s: string) =>
  s.replace(/[&<>"'`=]/g, (c) => `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);

function inlineHelper(name: string, args: string[], context: Context): string {
  switch (name) {
    case 'extractResource': {
      const [path, segment] = args;
      const parts = asText(lookup(context, path ?? '')).split('/');
      const at = parts.findIndex((p) => p.toLowerCase() === (segment ?? '').toLowerCase());
      return at >= 0 ? (parts[at + 1] ?? '') : '';
    }
    case 'extractUrlQueryParameter': {
      const key = decodeURIComponent(args[0] ?? '');
      try {
        return new URL(asText(context)).searchParams.get(key) ?? '';
      } catch {
        return '';
      }
    }
    case 'isTokenPresent': {
      const value = lookup(context, args[0] ?? '');
      return String(value !== undefined && value !== null && value !== '');
    }
    default:
      throw new Error(`template helper "${name}" is not known to this emulation`);
  }
}

const TAG_SOURCE = /\{\{\{\s*([^}]*?)\s*\}\}\}|\{\{\s*([^}]*?)\s*\}\}/.source;

/** Renders a binding template against a context object. */
export function renderTemplate(template: string, context: Context): string {
  let out = '';
  let last = 0;
  const TAG = new RegExp(TAG_SOURCE, 'g'); // one per call: blocks render recursively
  for (let m = TAG.exec(template); m; m = TAG.exec(template)) {
    out += template.slice(last, m.index);
    last = TAG.lastIndex;
    const raw = m[1] !== undefined;
    const body = (m[1] ?? m[2] ?? '').trim();
    if (body.startsWith('/')) throw new Error(`template: "{{${body}}}" closes no block`);
    const [head = '', ...args] = body.split(/\s+/);
    if (head.startsWith('#') && head.length > 1 && !raw) {
      // A block helper: find its closing tag (blocks of the same name do not nest in bindings).
      const name = head.slice(1);
      const close = template.indexOf(`{{/${name}}}`, last);
      if (close < 0) throw new Error(`template: {{#${name}}} is never closed`);
      const inner = template.slice(last, close);
      last = close + `{{/${name}}}`.length;
      TAG.lastIndex = last;
      if (name !== 'getTokenValue')
        throw new Error(`template block helper "${name}" is not known to this emulation`);
      out += renderTemplate(inner, lookup(context, args[0] ?? ''));
      continue;
    }
    const helper = head.replace(/^#/, '');
    const text =
      args.length > 0 || head.startsWith('#')
        ? inlineHelper(helper, args, context)
        : asText(lookup(context, head));
    out += raw ? text : escapeHtml(text);
  }
  return out + template.slice(last);
}

/** `jsonpath:$.value[*]` and the like: `$`, then `.key` and `[*]` steps. */
export function selectJsonPath(selector: string, document: unknown): unknown[] {
  const expression = selector.replace(/^jsonpath:/, '');
  if (!expression.startsWith('$')) throw new Error(`resultSelector "${selector}" is not a JSONPath`);
  const steps = expression.slice(1).match(/\.[A-Za-z0-9_$]+|\[\*\]/g) ?? [];
  if (steps.join('') !== expression.slice(1))
    throw new Error(`resultSelector "${selector}" uses JSONPath this emulation does not know`);
  let nodes: unknown[] = [document];
  for (const step of steps) {
    nodes =
      step === '[*]'
        ? nodes.flatMap((n) => (Array.isArray(n) ? (n as unknown[]) : []))
        : nodes.map((n) => lookup(n, step.slice(1))).filter((n) => n !== undefined);
  }
  return nodes;
}
