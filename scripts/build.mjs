// Type-checks and compiles everything (out/, for the tests), then bundles each task for node20
// (build/tasks/<Task>/): index.js (scripts/task-entry.cjs: compile cache, then loads main.mjs),
// main.mjs and chunks/*.mjs: the ES module chunks esbuild splits at
// the library's dynamic import()s; the Azure SDK, MSAL, azure-devops-node-api, sigstore are
// loaded only when a run's inputs need them. Other handler targets (a pre-job stub) stay CommonJS files.
// Fails when a task's files hold two copies of a package. Writes each task's esbuild metafile to
// build/meta/<Task>.json (read by scripts/bundle-report.mjs).
import * as esbuild from 'esbuild';
import fs from 'node:fs';
import path from 'node:path';
import { root, run, step } from './lib.mjs';

/** Folders holding a task.json: shipped tasks and test-only tasks (never shipped). */
export function taskFolders() {
  const find = (dir) =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .filter((n) => fs.existsSync(path.join(dir, n, 'task.json')))
          .map((n) => path.join(dir, n))
      : [];
  return {
    shipped: find(path.join(root, 'tasks')),
    testOnly: find(path.join(root, 'test', 'fixtures', 'tasks')),
  };
}

/** Package copies in a bundle, keyed by package name: a name with two folders is a duplicate. */
export function duplicatePackages(metafile) {
  const copies = new Map();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /^(.*node_modules\/(@[^/]+\/[^/]+|[^/]+))\//.exec(input);
    if (!m) continue;
    const [, folder, name] = m;
    if (!copies.has(name)) copies.set(name, new Set());
    copies.get(name).add(folder);
  }
  return [...copies]
    .filter(([, folders]) => folders.size > 1)
    .map(([name, folders]) => ({ name, folders: [...folders] }));
}

/** A task's entry files: index.ts, and the .ts source of any other stage target in task.json (a pre-job stub). */
export function entryPoints(taskDir) {
  const task = JSON.parse(fs.readFileSync(path.join(taskDir, 'task.json'), 'utf8'));
  const targets = ['prejobexecution', 'execution', 'postjobexecution'].flatMap((stage) =>
    Object.values(task[stage] ?? {}).map((handler) => String(handler?.target ?? '')),
  );
  const names = new Set([
    'index',
    ...targets.filter((t) => /^[\w-]+\.js$/.test(t)).map((t) => t.slice(0, -3)),
  ]);
  return [...names].map((n) => path.join(taskDir, `${n}.ts`)).filter((f) => fs.existsSync(f));
}

/** The files of one esbuild output loaded before main.mjs runs: it and its static imports, transitively. */
export function startupFiles(metafile, main) {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file) || !(file in metafile.outputs)) return;
    seen.add(file);
    for (const imp of metafile.outputs[file]?.imports ?? [])
      if (imp.kind === 'import-statement') visit(imp.path);
  };
  visit(main);
  return [...seen];
}

/** ES module output still runs task-lib's and other CommonJS code: give it require, __dirname, __filename. */
const ESM_BANNER =
  "import{createRequire as __rgRequire}from'node:module';import{fileURLToPath as __rgPath}from'node:url';" +
  "const require=__rgRequire(import.meta.url),__filename=__rgPath(import.meta.url),__dirname=__rgPath(new URL('.',import.meta.url));";

/**
 * Node built-ins imported by ES import statements are loaded through require instead. An ES import
 * of a built-in builds a facade that reads every export, and the lazy ones load modules the task
 * never asked for: `node:http` loads undici (Node's fetch), `node:crypto` WebCrypto, at every start.
 */
const builtinsViaRequire = {
  name: 'builtins-via-require',
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) =>
      args.kind === 'import-statement' ? { path: args.path, namespace: 'builtin-via-require' } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'builtin-via-require' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};

/**
 * The project's own modules are declared free of side effects at import (none has any: each only
 * declares), so esbuild leaves out a module whose exports a task never uses. A front door that
 * re-exports a whole part (the agent layer re-exports its Helm runner) then costs a task that never
 * runs Helm nothing: PromoteImage no longer loads the Helm library and `yaml` at start.
 */
const sourcesWithoutSideEffects = {
  name: 'sources-without-side-effects',
  setup(b) {
    const sources = path.join(root, 'tasks') + path.sep;
    b.onResolve({ filter: /^\.\.?\// }, async (args) => {
      if (args.pluginData?.resolving || !args.importer.startsWith(sources)) return undefined;
      const found = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: { resolving: true },
      });
      if (found.errors.length > 0) return { errors: found.errors };
      return { path: found.path, sideEffects: !found.path.startsWith(sources) };
    });
  },
};

const COMMON = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  minify: true,
  keepNames: true,
  metafile: true,
  logLevel: 'warning',
  legalComments: 'none',
};

async function bundle(taskDir, outDir) {
  const name = path.basename(taskDir);
  const target = path.join(outDir, name);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  const [index, ...stubs] = entryPoints(taskDir);
  const result = await esbuild.build({
    ...COMMON,
    entryPoints: { main: index },
    outdir: target,
    format: 'esm',
    splitting: true,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    banner: { js: ESM_BANNER },
    plugins: [builtinsViaRequire, sourcesWithoutSideEffects],
  });
  fs.copyFileSync(path.join(root, 'scripts', 'task-entry.cjs'), path.join(target, 'index.js'));
  const metafiles = [result.metafile];
  if (stubs.length > 0) {
    const cjs = await esbuild.build({ ...COMMON, entryPoints: stubs, outdir: target, format: 'cjs' });
    metafiles.push(cjs.metafile);
  }
  const metafile = {
    inputs: Object.assign({}, ...metafiles.map((m) => m.inputs)),
    outputs: Object.assign({}, ...metafiles.map((m) => m.outputs)),
  };
  const dups = duplicatePackages(metafile);
  if (dups.length > 0) {
    const list = dups.map((d) => `  ${d.name}: ${d.folders.join(', ')}`).join('\n');
    throw new Error(
      `${name}: the bundle holds two copies of a package; dedupe them (npm dedupe, overrides):\n${list}`,
    );
  }
  const metaDir = path.join(outDir, '..', 'meta');
  fs.mkdirSync(metaDir, { recursive: true });
  fs.writeFileSync(path.join(metaDir, `${name}.json`), JSON.stringify(metafile));
  for (const file of ['task.json', 'task.loc.json', 'icon.png']) {
    const src = path.join(taskDir, file);
    if (fs.existsSync(src)) fs.copyFileSync(src, path.join(target, file));
  }
  const strings = path.join(taskDir, 'Strings');
  if (fs.existsSync(strings)) fs.cpSync(strings, path.join(target, 'Strings'), { recursive: true });
  const kib = (files) => (files.reduce((n, f) => n + (metafile.outputs[f]?.bytes ?? 0), 0) / 1024).toFixed(0);
  const main = Object.keys(metafile.outputs).find((f) => f.endsWith('/main.mjs'));
  console.log(
    `  ${name}: ${kib(startupFiles(metafile, main))} KiB at start-up, ${kib(Object.keys(metafile.outputs))} KiB in all`,
  );
}

export async function build() {
  step('Type-check and compile (tsc)');
  // tsc emits even when it reports errors: bundle anyway, then fail, so one broken file hides nothing.
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const typesOk = run(process.execPath, [tsc, '-p', 'tsconfig.json']);
  step('Bundle tasks (esbuild)');
  const { shipped, testOnly } = taskFolders();
  for (const dir of shipped) await bundle(dir, path.join(root, 'build', 'tasks'));
  for (const dir of testOnly) await bundle(dir, path.join(root, 'build', 'test-tasks'));
  if (!typesOk) throw new Error('TypeScript compilation failed');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  build().catch((err) => {
    console.error(err.message);
    process.exit(1);
  });
}
