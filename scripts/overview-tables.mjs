// Writes the inputs and outputs tables of each task into overview.md from its task.json, between
// `<!-- task-table:<TaskName> -->` and `<!-- /task-table:<TaskName> -->`. Rerun after changing a
// task.json: `npm run overview` (the listing test fails while overview.md is out of date).
import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { root } from './lib.mjs';

const cell = (text) =>
  String(text ?? '')
    .replace(/\r?\n+/g, ' ')
    .replace(/\|/g, '\\|')
    .trim();
const code = (text) => `\`${String(text).replace(/`/g, "'")}\``;

const CONNECTIONS = {
  'connectedService:AzureRM': 'Azure Resource Manager connection',
  'connectedService:dockerregistry': 'Docker registry connection',
  'connectedService:kubernetes': 'Kubernetes connection',
};

function typeOf(input) {
  if (input.type === 'pickList' || input.type === 'radio') {
    const options = Object.keys(input.options ?? {});
    return options.length > 0 ? `one of ${options.map(code).join(', ')}` : 'pick list (from the service)';
  }
  if (input.type.startsWith('connectedService:')) return CONNECTIONS[input.type] ?? input.type;
  return (
    { multiLine: 'text, one per line', filePath: 'path', boolean: 'true/false', int: 'number' }[input.type] ??
    'text'
  );
}

/** The Markdown tables of one task.json. */
export function taskTables(task) {
  const rows = task.inputs.map((input) => {
    const names = [input.name, ...(input.aliases ?? [])].map(code).join(', ');
    const when = input.visibleRule ? ` Shown when ${code(input.visibleRule)}.` : '';
    const def = input.defaultValue === undefined || input.defaultValue === '' ? '' : code(input.defaultValue);
    return `| ${names} | ${cell(typeOf(input))} | ${input.required ? 'yes' : ''} | ${def} | ${cell(`${input.helpMarkDown ?? ''}${when}`)} |`;
  });
  const outputs = (task.outputVariables ?? []).map((o) => `| ${code(o.name)} | ${cell(o.description)} |`);
  return [
    `Inputs of \`${task.name}@${task.version.Major}\` (names after the first are accepted aliases):`,
    '',
    '| Input | Type | Required | Default | Description |',
    '| ----- | ---- | -------- | ------- | ----------- |',
    ...rows,
    '',
    outputs.length > 0
      ? 'Output variables (`$(<step name>.<variable>)` in later steps):'
      : 'No output variables.',
    ...(outputs.length > 0 ? ['', '| Output | Description |', '| ------ | ----------- |', ...outputs] : []),
  ].join('\n');
}

export function readTasks(dir = root) {
  const tasksDir = path.join(dir, 'tasks');
  return fs
    .readdirSync(tasksDir)
    .filter((n) => fs.existsSync(path.join(tasksDir, n, 'task.json')))
    .map((n) => JSON.parse(fs.readFileSync(path.join(tasksDir, n, 'task.json'), 'utf8')));
}

/** overview.md with every marked table replaced; throws on a marker naming no task. */
export function render(markdown, tasks) {
  const byName = new Map(tasks.map((t) => [t.name, t]));
  return markdown.replace(
    /(<!-- task-table:([\w-]+) -->\n)[\s\S]*?(<!-- \/task-table:\2 -->)/g,
    (_m, open, name, close) => {
      const task = byName.get(name);
      if (!task)
        throw new Error(`overview.md: no task named '${name}' (have ${[...byName.keys()].join(', ')})`);
      return `${open}\n${taskTables(task)}\n\n${close}`;
    },
  );
}

/** overview.md as it should be: tables regenerated, then formatted as `npm run format` would. */
export async function regenerate(dir = root) {
  const file = path.join(dir, 'overview.md');
  const before = fs.readFileSync(file, 'utf8');
  const options = (await prettier.resolveConfig(file)) ?? {};
  const after = await prettier.format(render(before, readTasks(dir)), { ...options, filepath: file });
  return { file, before, after };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { file, before, after } = await regenerate();
  if (after !== before) fs.writeFileSync(file, after);
  console.log(after === before ? 'overview.md is up to date' : 'overview.md: task tables regenerated');
}
