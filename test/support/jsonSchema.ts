// A small JSON Schema (draft-04) validator for the keywords the official task.json schema uses.
// A keyword it does not know is reported as a violation, so a schema update that needs more of
// the standard fails loudly instead of passing everything.

export type JsonSchema = { [keyword: string]: unknown };

/** Keywords that describe and never constrain. */
const annotations = new Set(['$schema', 'id', 'title', 'description', 'default', 'definitions']);

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value; // 'object' | 'string' | 'number' | 'boolean'
}

function typeMatches(value: unknown, type: unknown): boolean {
  if (Array.isArray(type)) return type.some((t) => typeMatches(value, t));
  if (type === 'integer') return Number.isInteger(value);
  return jsonType(value) === type;
}

const isObject = (v: unknown): v is Record<string, unknown> => jsonType(v) === 'object';
const at = (path: string, key: string | number) =>
  typeof key === 'number'
    ? `${path}[${key}]`
    : /^[A-Za-z_$][\w$]*$/.test(key)
      ? `${path}.${key}`
      : `${path}["${key}"]`;

/** Resolves a local reference such as `#/definitions/executionObject`. */
function resolveRef(ref: string, root: JsonSchema): JsonSchema | undefined {
  if (!ref.startsWith('#')) return undefined;
  let node: unknown = root;
  for (const raw of ref
    .slice(1)
    .split('/')
    .filter((s) => s !== '')) {
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = isObject(node) ? node[key] : undefined;
  }
  return isObject(node) ? node : undefined;
}

/**
 * Every way `value` breaks `schema`, as `<JSON path>: <what is wrong>` (`$` is the document).
 * An empty list means it conforms.
 */
export function validateJsonSchema(
  value: unknown,
  schema: JsonSchema,
  root: JsonSchema = schema,
  path = '$',
): string[] {
  const errors: string[] = [];
  const fail = (message: string) => errors.push(`${path}: ${message}`);
  for (const [keyword, rule] of Object.entries(schema)) {
    if (annotations.has(keyword)) continue;
    switch (keyword) {
      case '$ref': {
        const target = typeof rule === 'string' ? resolveRef(rule, root) : undefined;
        if (!target) fail(`schema reference ${String(rule)} does not resolve`);
        else errors.push(...validateJsonSchema(value, target, root, path));
        break;
      }
      case 'type':
        if (!typeMatches(value, rule)) fail(`is ${jsonType(value)}, expected ${JSON.stringify(rule)}`);
        break;
      case 'enum':
        if (!(rule as unknown[]).some((option) => JSON.stringify(option) === JSON.stringify(value))) {
          fail(`${JSON.stringify(value)} is not one of ${JSON.stringify(rule)}`);
        }
        break;
      case 'pattern':
        if (typeof value === 'string' && !new RegExp(rule as string).test(value)) {
          fail(`${JSON.stringify(value)} does not match ${String(rule)}`);
        }
        break;
      case 'minLength':
      case 'maxLength': {
        if (typeof value !== 'string') break;
        const length = [...value].length;
        if (keyword === 'minLength' ? length < (rule as number) : length > (rule as number)) {
          fail(`length ${length} breaks ${keyword} ${String(rule)}`);
        }
        break;
      }
      case 'minimum':
      case 'maximum':
        if (
          typeof value === 'number' &&
          (keyword === 'minimum' ? value < (rule as number) : value > (rule as number))
        ) {
          fail(`${value} breaks ${keyword} ${String(rule)}`);
        }
        break;
      case 'required':
        if (isObject(value)) {
          for (const name of rule as string[])
            if (!(name in value)) fail(`required property "${name}" is missing`);
        }
        break;
      case 'properties':
        if (isObject(value)) {
          for (const [name, sub] of Object.entries(rule as Record<string, JsonSchema>)) {
            if (name in value) errors.push(...validateJsonSchema(value[name], sub, root, at(path, name)));
          }
        }
        break;
      case 'additionalProperties':
        if (isObject(value)) {
          const declared = schema['properties'];
          const known = new Set(isObject(declared) ? Object.keys(declared) : []);
          for (const name of Object.keys(value).filter((n) => !known.has(n))) {
            if (rule === false) fail(`property "${name}" is not allowed`);
            else if (isObject(rule))
              errors.push(...validateJsonSchema(value[name], rule, root, at(path, name)));
          }
        }
        break;
      case 'items':
        if (Array.isArray(value)) {
          value.forEach((item, i) =>
            errors.push(...validateJsonSchema(item, rule as JsonSchema, root, at(path, i))),
          );
        }
        break;
      case 'minItems':
        if (Array.isArray(value) && value.length < (rule as number))
          fail(`has ${value.length} item(s), fewer than ${String(rule)}`);
        break;
      case 'anyOf':
      case 'oneOf':
      case 'allOf': {
        const results = (rule as JsonSchema[]).map((sub) => validateJsonSchema(value, sub, root, path));
        const passing = results.filter((r) => r.length === 0).length;
        if (keyword === 'allOf') results.forEach((r) => errors.push(...r));
        else if (passing === 0)
          fail(`matches none of ${keyword}: ${results.map((r) => r.join('; ')).join(' | ')}`);
        else if (keyword === 'oneOf' && passing > 1)
          fail(`matches ${passing} branches of oneOf, expected one`);
        break;
      }
      default:
        fail(`schema keyword "${keyword}" is not supported by this validator`);
    }
  }
  return errors;
}
