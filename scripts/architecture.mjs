// Measures the shape of tasks/: import cycles, library modules each task folder imports, files
// over 300 lines. `node scripts/architecture.mjs` prints a report; `--json` prints the figures.
// The same graph is checked by test/architecture/layers.test.ts.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const tasksDir = join(root, 'tasks');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...walk(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

const specifierPattern =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function resolveLocal(from, spec) {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  for (const candidate of [`${base}.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return candidate;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function importGraph() {
  const files = walk(tasksDir);
  const graph = new Map();
  const packages = new Map();
  for (const file of files) {
    // Comment lines may quote imports (`await import('./x')`): they are not edges.
    const text = readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => !/^\s*(\/\/|\/\*|\*)/.test(line))
      .join('\n');
    const local = new Set();
    const external = new Set();
    for (const match of text.matchAll(specifierPattern)) {
      const spec = match[1] ?? match[2];
      const target = resolveLocal(file, spec);
      if (target) local.add(target);
      else if (!spec.startsWith('.')) external.add(spec);
    }
    graph.set(file, local);
    packages.set(file, external);
  }
  return { files, graph, packages };
}

// Tarjan's strongly connected components; a component of more than one file is a cycle.
export function cycles(graph) {
  let index = 0;
  const stack = [];
  const onStack = new Set();
  const indices = new Map();
  const low = new Map();
  const found = [];
  const visit = (node) => {
    indices.set(node, index);
    low.set(node, index);
    index += 1;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!indices.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), indices.get(next)));
      }
    }
    if (low.get(node) === indices.get(node)) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? new Set()).has(node)) found.push(component);
    }
  };
  for (const node of graph.keys()) if (!indices.has(node)) visit(node);
  return found;
}

export function measure() {
  const { files, graph } = importGraph();
  const rel = (f) => relative(root, f);
  const taskFolders = readdirSync(tasksDir).filter((n) => /V\d+$/.test(n));
  const library = (f) => !taskFolders.some((t) => f.startsWith(join(tasksDir, t) + '/'));
  const perTask = {};
  for (const task of taskFolders) {
    const own = files.filter((f) => f.startsWith(join(tasksDir, task) + '/'));
    const imported = new Set();
    for (const f of own) for (const t of graph.get(f)) if (library(t)) imported.add(rel(t));
    perTask[task] = [...imported].sort();
  }
  const long = files
    .map((f) => ({ file: rel(f), lines: readFileSync(f, 'utf8').split('\n').length }))
    .filter((x) => x.lines > 300)
    .sort((a, b) => b.lines - a.lines);
  return {
    files: files.length,
    lines: files.reduce((n, f) => n + readFileSync(f, 'utf8').split('\n').length, 0),
    cycles: cycles(graph).map((c) => c.map(rel).sort()),
    importsPerTask: Object.fromEntries(Object.entries(perTask).map(([k, v]) => [k, v.length])),
    imports: perTask,
    longFiles: long,
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const m = measure();
  if (process.argv.includes('--json')) {
    process.stdout.write(JSON.stringify(m, null, 2) + '\n');
  } else {
    process.stdout.write(`${m.files} files, ${m.lines} lines under tasks/\n`);
    process.stdout.write(`import cycles: ${m.cycles.length}\n`);
    for (const c of m.cycles) process.stdout.write(`  ${c.join(' -> ')}\n`);
    process.stdout.write('library modules imported per task folder:\n');
    for (const [k, v] of Object.entries(m.importsPerTask)) process.stdout.write(`  ${k}: ${v}\n`);
    process.stdout.write(`files over 300 lines: ${m.longFiles.length}\n`);
    for (const l of m.longFiles) process.stdout.write(`  ${l.file}: ${l.lines}\n`);
  }
}
