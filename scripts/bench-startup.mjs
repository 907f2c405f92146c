// Benchmark: each task's start-up to its first log line (run with no inputs, so it fails right
// after reading them), side by side with `node -e 0` on the same Node through the same wrapper;
// and each task's bundle size (build/tasks/<Task>/*.js).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { alternate, field, outTest, stat } from './bench-lib.mjs';
import { root } from './lib.mjs';

export function shippedTasks() {
  const dir = path.join(root, 'build', 'tasks');
  return fs
    .readdirSync(dir)
    .filter((n) => fs.existsSync(path.join(dir, n, 'task.json')))
    .sort();
}

export function bundleSizes() {
  return shippedTasks().map((name) => {
    const dir = path.join(root, 'build', 'tasks', name);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js'));
    const kib = files.reduce((sum, f) => sum + fs.statSync(path.join(dir, f)).size, 0) / 1024;
    return { task: name, kib, files };
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

/** { tasks: { name: {firstLine, wall, rssMiB} stats }, nodeEmpty } */
export async function benchStartup({ runs, node }) {
  const { runTask } = outTest('support/taskRunner.js');
  const variants = { 'node -e 0': () => nodeEmpty(node) };
  for (const name of shippedTasks()) {
    variants[name] = async () => {
      const probe = node.probe();
      const run = await runTask({ task: { shipped: name }, inputs: {}, node: node.path, env: probe.env });
      run.dispose();
      if (run.agentResult !== 'Failed') throw new Error(`${name} without inputs: ${run.agentResult}`);
      return probe.read();
    };
  }
  await alternate(1, variants); // warm-up: file cache
  const samples = await alternate(runs, variants);
  const result = {};
  for (const [name, s] of Object.entries(samples)) {
    result[name] = {
      firstLine: field(s, 'firstLine'),
      wall: field(s, 'wall'),
      rssMiB: field(s, 'rssMiB'),
    };
  }
  result['node -e 0'].firstLine = stat(samples['node -e 0'].map((r) => r.wall));
  return result;
}
