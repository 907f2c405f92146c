// Checks a task.json against everything that has to hold before it ships:
//  - the official schema (test/fixtures/tasks.schema.json: tasks.schema.json of
//    microsoft/azure-pipelines-task-lib, same content, prettier layout; a copy so it runs offline);
//  - the rules tfx-cli enforces when it packs an extension;
//  - this project's rules (handlers, agent version, inputs, groups, visible rules).
import fs from 'node:fs';
import path from 'node:path';
import { type JsonSchema, validateJsonSchema } from './jsonSchema';
import { repoRoot } from './tools';

/** The only execution handlers a task may declare: Node24 is used where the agent's knob is on. */
export const HANDLERS = ['Node20_1', 'Node24'] as const;
/** The first agent with the Node20_1 handler. */
export const MINIMUM_AGENT_VERSION = '3.232.1';
const STAGES = ['execution', 'prejobexecution', 'postjobexecution'] as const;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const objects = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

let schema: JsonSchema | undefined;
function officialSchema(): JsonSchema {
  schema ??= JSON.parse(
    fs.readFileSync(path.join(repoRoot(), 'test', 'fixtures', 'tasks.schema.json'), 'utf8'),
  ) as JsonSchema;
  return schema;
}

/**
 * Every violation in a task.json, as readable messages (empty when it is fine). `taskDir` is the
 * folder the task is packaged in: execution targets must exist there.
 */
export function checkTaskJson(taskJson: unknown, taskDir: string): string[] {
  const errors = validateJsonSchema(taskJson, officialSchema()).map((e) => `schema: ${e}`);
  if (!isObject(taskJson)) return errors;
  return [
    ...errors,
    ...tfxRules(taskJson, taskDir),
    ...handlerRules(taskJson),
    ...versionRules(taskJson),
    ...inputRules(taskJson),
    ...restrictionRules(taskJson),
  ];
}

/** The agent matches settable variables case-insensitively with `*` and `?` (Minimatcher). */
function wildcardMatches(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[\\^$.|+()[\]{}]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 'i').test(name);
}

/** Declared restrictions must let the task set its own outputs, or the agent drops them. */
function restrictionRules(task: Json): string[] {
  const restrictions = task['restrictions'];
  const settable = isObject(restrictions) ? restrictions['settableVariables'] : undefined;
  const allowed =
    isObject(settable) && Array.isArray(settable['allowed']) ? settable['allowed'].map(String) : undefined;
  if (allowed === undefined) return [];
  return objects(task['outputVariables'])
    .map((o) => text(o['name']) ?? '')
    .filter((name) => !allowed.some((pattern) => wildcardMatches(pattern, name)))
    .map((name) => `restrictions: output variable "${name}" is not in settableVariables.allowed`);
}

function tfxRules(task: Json, taskDir: string): string[] {
  const errors: string[] = [];
  const id = text(task['id']);
  if (!id || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) {
    errors.push(`tfx: id ${JSON.stringify(task['id'])} is not a GUID`);
  }
  const name = text(task['name']);
  if (!name || !/^[A-Za-z0-9-]+$/.test(name)) {
    errors.push(`tfx: name ${JSON.stringify(task['name'])} must match ^[A-Za-z0-9-]+$`);
  }
  const friendlyName = text(task['friendlyName']);
  if (!friendlyName) errors.push('tfx: friendlyName is missing');
  else if ([...friendlyName].length > 40) {
    errors.push(`tfx: friendlyName "${friendlyName}" has ${[...friendlyName].length} characters, at most 40`);
  }
  if (!text(task['instanceNameFormat'])) errors.push('tfx: instanceNameFormat is missing');
  for (const stage of STAGES) {
    const handlers = task[stage];
    if (!isObject(handlers)) continue;
    for (const [handler, spec] of Object.entries(handlers)) {
      const target = isObject(spec) ? text(spec['target']) : undefined;
      if (!target) {
        errors.push(`tfx: ${stage}.${handler} has no target`);
        continue;
      }
      const file = path.resolve(taskDir, target.replace(/^\$\(currentDirectory\)[\\/]?/, ''));
      const inside = !path.relative(taskDir, file).startsWith('..') && file !== path.resolve(taskDir);
      if (!inside) errors.push(`tfx: ${stage}.${handler} target "${target}" is outside the task folder`);
      else if (!fs.existsSync(file) || !fs.statSync(file).isFile()) {
        errors.push(`tfx: ${stage}.${handler} target "${target}" does not exist in ${taskDir}`);
      }
    }
  }
  return errors;
}

function handlerRules(task: Json): string[] {
  const errors: string[] = [];
  if (!isObject(task['execution'])) errors.push('handlers: execution is missing');
  for (const stage of STAGES) {
    const handlers = task[stage];
    if (!isObject(handlers)) continue;
    for (const handler of HANDLERS) {
      if (!(handler in handlers)) errors.push(`handlers: ${stage} lacks ${handler}`);
    }
    for (const handler of Object.keys(handlers).filter((h) => !(HANDLERS as readonly string[]).includes(h))) {
      errors.push(
        `handlers: ${stage}.${handler} is not allowed (deprecated or unused): declare only ${HANDLERS.join(' and ')}`,
      );
    }
    const targets = new Set(
      HANDLERS.map((h) => handlers[h])
        .filter(isObject)
        .map((spec) => text(spec['target']))
        .filter((target) => target !== undefined),
    );
    if (targets.size > 1)
      errors.push(`handlers: ${stage} handlers point at different targets: ${[...targets].join(', ')}`);
  }
  return errors;
}

function versionRules(task: Json): string[] {
  const errors: string[] = [];
  if (task['minimumAgentVersion'] !== MINIMUM_AGENT_VERSION) {
    errors.push(
      `agent: minimumAgentVersion is ${JSON.stringify(task['minimumAgentVersion'])}, expected "${MINIMUM_AGENT_VERSION}" (the first agent with Node20_1)`,
    );
  }
  const version = isObject(task['version']) ? task['version'] : {};
  for (const part of ['Major', 'Minor', 'Patch']) {
    const n = version[part];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      errors.push(`version: ${part} is ${JSON.stringify(n)}, expected a non-negative integer`);
    }
  }
  return errors;
}

/** Names that collide, compared case-insensitively (agents upper-case them into variables). */
function duplicates(names: string[]): string[] {
  const seen = new Set<string>();
  return names.filter((n) => {
    const key = n.toLowerCase();
    return seen.has(key) || !seen.add(key);
  });
}

function inputRules(task: Json): string[] {
  const errors: string[] = [];
  const inputs = objects(task['inputs']);
  const groups = objects(task['groups']);
  const byName = new Map(inputs.map((input) => [text(input['name']) ?? '', input]));
  const aliases = (i: Json) => (Array.isArray(i['aliases']) ? (i['aliases'] as unknown[]) : []).map(String);
  const allNames = inputs.flatMap((i) => [text(i['name']) ?? '', ...aliases(i)]);
  for (const name of duplicates(allNames)) errors.push(`inputs: name or alias "${name}" is declared twice`);
  const groupNames = groups.map((g) => text(g['name']) ?? '');
  for (const name of duplicates(groupNames)) errors.push(`groups: "${name}" is declared twice`);
  const outputs = objects(task['outputVariables']).map((o) => text(o['name']) ?? '');
  const boundInputs = new Set(objects(task['dataSourceBindings']).map((b) => text(b['target']) ?? ''));
  for (const name of duplicates(outputs)) errors.push(`outputVariables: "${name}" is declared twice`);

  for (const group of groups) {
    const where = `groups.${String(group['name'])}`;
    if (!inputs.some((i) => i['groupName'] === group['name']))
      errors.push(`${where}: no input is in this group`);
    const rule = text(group['visibleRule']);
    if (rule !== undefined)
      errors.push(...visibleRuleErrors(rule, byName).map((e) => `${where}: visibleRule ${e}`));
  }
  for (const input of inputs) {
    const where = `inputs.${String(input['name'])}`;
    const group = text(input['groupName']);
    if (group === undefined) errors.push(`${where}: has no groupName`);
    else if (!groupNames.includes(group))
      errors.push(`${where}: groupName "${group}" names no declared group`);
    const rule = text(input['visibleRule']);
    if (rule !== undefined)
      errors.push(...visibleRuleErrors(rule, byName).map((e) => `${where}: visibleRule ${e}`));
    const defaultValue = input['defaultValue'];
    if (input['type'] === 'pickList' || input['type'] === 'radio') {
      const options = isObject(input['options']) ? Object.keys(input['options']) : [];
      // An editable pick list filled at design time by a data source binding has no static options.
      const editable =
        isObject(input['properties']) &&
        String(input['properties']['EditableOptions']).toLowerCase() === 'true';
      const bound = editable && boundInputs.has(String(input['name']));
      if (options.length === 0) {
        if (!bound) errors.push(`${where}: a ${String(input['type'])} input needs options`);
      } else if (typeof defaultValue !== 'string' || !options.includes(defaultValue)) {
        errors.push(
          `${where}: defaultValue ${JSON.stringify(defaultValue)} is not one of its options (${options.join(', ')})`,
        );
      }
    }
    if (
      input['type'] === 'boolean' &&
      defaultValue !== undefined &&
      defaultValue !== 'true' &&
      defaultValue !== 'false'
    ) {
      errors.push(
        `${where}: boolean defaultValue ${JSON.stringify(defaultValue)} must be the string "true" or "false"`,
      );
    }
  }
  return errors;
}

export interface VisibleRulePredicate {
  input: string;
  operator: string;
  value: string;
}

const SYMBOL_OPERATORS = /^\s*([A-Za-z][A-Za-z0-9]*)\s*(==|!=|<=|>=|=|<|>)\s*(.*?)\s*$/;
const WORD_OPERATORS =
  /^\s*([A-Za-z][A-Za-z0-9]*)\s+(NotContains|NotEndsWith|NotStartsWith|Contains|EndsWith|StartsWith)\s+(.*?)\s*$/;

/**
 * Parses a visibleRule the way the pipeline editor reads it: predicates `input <op> value` joined
 * by `&&` or by `||` (the editor does not mix them). Throws on what the editor cannot read.
 */
export function parseVisibleRule(rule: string): { join: '&&' | '||'; predicates: VisibleRulePredicate[] } {
  const hasAnd = rule.includes('&&');
  const hasOr = rule.includes('||');
  if (hasAnd && hasOr)
    throw new Error(`"${rule}" mixes && and ||; the editor evaluates only one kind per rule`);
  const join = hasOr ? '||' : '&&';
  const predicates = rule.split(join).map((part) => {
    const m = SYMBOL_OPERATORS.exec(part) ?? WORD_OPERATORS.exec(part);
    if (!m || !m[3]) throw new Error(`"${rule}": cannot read the predicate "${part.trim()}"`);
    return { input: m[1] ?? '', operator: m[2] ?? '', value: m[3] };
  });
  return { join, predicates };
}

function visibleRuleErrors(rule: string, inputs: Map<string, Json>): string[] {
  let predicates: VisibleRulePredicate[];
  try {
    predicates = parseVisibleRule(rule).predicates;
  } catch (err) {
    return [(err as Error).message];
  }
  return predicates.flatMap(({ input, operator, value }) => {
    const target = inputs.get(input);
    if (!target) return [`"${rule}" names unknown input "${input}"`];
    if (!['=', '==', '!='].includes(operator)) return [];
    const options =
      target['type'] === 'boolean'
        ? ['true', 'false']
        : isObject(target['options']) && (target['type'] === 'pickList' || target['type'] === 'radio')
          ? Object.keys(target['options'])
          : undefined;
    return options && !options.includes(value)
      ? [
          `"${rule}" compares "${input}" with "${value}", which is not one of its values (${options.join(', ')})`,
        ]
      : [];
  });
}
