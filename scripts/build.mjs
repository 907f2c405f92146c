// Type-checks and compiles everything (out/, for the tests), then bundles each task into one
// CommonJS file for node20 (build/tasks/<Task>/). Fails when a bundle holds two copies of a package.
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

async function bundle(taskDir, outDir) {
  const name = path.basename(taskDir);
  const target = path.join(outDir, name);
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  const result = await esbuild.build({
    entryPoints: entryPoints(taskDir),
    outdir: target,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    keepNames: true,
    metafile: true,
    logLevel: 'warning',
    legalComments: 'none',
  });
  const dups = duplicatePackages(result.metafile);
  if (dups.length > 0) {
    const list = dups.map((d) => `  ${d.name}: ${d.folders.join(', ')}`).join('\n');
    throw new Error(
      `${name}: the bundle holds two copies of a package; dedupe them (npm dedupe, overrides):\n${list}`,
    );
  }
  for (const file of ['task.json', 'task.loc.json', 'icon.png']) {
    const src = path.join(taskDir, file);
    if (fs.existsSync(src)) fs.copyFileSync(src, path.join(target, file));
  }
  const strings = path.join(taskDir, 'Strings');
  if (fs.existsSync(strings)) fs.cpSync(strings, path.join(target, 'Strings'), { recursive: true });
  const size = fs.statSync(path.join(target, 'index.js')).size;
  console.log(`  ${name}: ${(size / 1024).toFixed(0)} KiB`);
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
