// Benchmark: each task's start-up to its first log line (run with no inputs, so it fails right
// after reading them), side by side with `node -e 0` on the same Node through the same wrapper;
// and each task's bundle size (build/tasks/<Task>/*.js).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { alternate, field, outTest, stat } from './bench-lib.mjs';
import { startupFiles } from './build.mjs';
import { root } from './lib.mjs';

export function shippedTasks() {
  const dir = path.join(root, 'build', 'tasks');
  return fs
    .readdirSync(dir)
    .filter((n) => fs.existsSync(path.join(dir, n, 'task.json')))
    .sort();
}

/**
 * Per task: what a run loads at start (index.js, main.mjs and the chunks main.mjs imports
 * statically: the README's "bundle"), and every script the task ships (lazily loaded chunks too).
 */
export function bundleSizes() {
  return shippedTasks().map((name) => {
    const dir = path.join(root, 'build', 'tasks', name);
    const metafile = JSON.parse(fs.readFileSync(path.join(root, 'build', 'meta', `${name}.json`), 'utf8'));
    const outputs = Object.keys(metafile.outputs);
    const main = outputs.find((f) => f.endsWith('/main.mjs'));
    const bytes = (files) => files.reduce((n, f) => n + metafile.outputs[f].bytes, 0);
    const entry = fs.statSync(path.join(dir, 'index.js')).size;
    const kib = (entry + bytes(startupFiles(metafile, main))) / 1024;
    const allKib = (entry + bytes(outputs)) / 1024;
    return { task: name, kib, allKib, files: ['index.js', 'main.mjs', 'its static chunks'] };
  });
}

function nodeEmpty(node) {
  const probe = node.probe();
  return new Promise((resolve, reject) => {
    const child = spawn(node.path, ['-e', '0'], { env: { ...probe.env, PATH: process.env.PATH } });
    child.on('error', reject);
    child.on('close', () => resolve(probe.read()));
  });
}

const CACHED = ' (compile cache)';

/**
 * { 'node -e 0' | task: { firstLine, wall, rssMiB } stats, compileCache: { task: stats } }. Each task
 * also runs with NODE_COMPILE_CACHE in a folder of its own (warm after the warm-up run), to show
 * what Node's compile cache would save on an agent.
 */
export async function benchStartup({ runs, node, cacheDir }) {
  const { runTask } = outTest('support/taskRunner.js');
  const variants = { 'node -e 0': () => nodeEmpty(node) };
  const start = (name, env) => async () => {
    const probe = node.probe();
    const run = await runTask({
      task: { shipped: name },
      inputs: {},
      node: node.path,
      env: { ...probe.env, ...env },
    });
    run.dispose();
    if (run.agentResult !== 'Failed') throw new Error(`${name} without inputs: ${run.agentResult}`);
    return probe.read();
  };
  for (const name of shippedTasks()) {
    variants[name] = start(name, { NODE_DISABLE_COMPILE_CACHE: '1' });
    variants[`${name}${CACHED}`] = start(name, { NODE_COMPILE_CACHE: path.join(cacheDir, name) });
  }
  await alternate(1, variants); // warm-up: file cache
  const samples = await alternate(runs, variants);
  const result = { compileCache: {} };
  for (const [name, s] of Object.entries(samples)) {
    const into = name.endsWith(CACHED) ? result.compileCache : result;
    into[name.replace(CACHED, '')] = {
      firstLine: field(s, 'firstLine'),
      wall: field(s, 'wall'),
      rssMiB: field(s, 'rssMiB'),
    };
  }
  result['node -e 0'].firstLine = stat(samples['node -e 0'].map((r) => r.wall));
  return result;
}
