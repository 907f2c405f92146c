// What each task's bundle holds and what it costs to start. Reads build/meta/<Task>.json (written
// by scripts/build.mjs): every shipped script with its bytes, the files loaded at start-up
// (main.mjs and its static imports) against all files, and the biggest packages in each.
// `--startup [runs]` also times each task run with no inputs to its failed result, median of the
// runs alternating with `node -e 0` (`--node PATH` another Node, e.g. .tools/node24/bin/node;
// `--compile-cache` leaves index.js's compile cache on; without it NODE_DISABLE_COMPILE_CACHE=1).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startupFiles } from './build.mjs';
import { root } from './lib.mjs';

const kib = (bytes) => `${(bytes / 1024).toFixed(0)} KiB`;
const packageOf = (input) =>
  /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input)?.[1] ?? input.split('/').slice(0, 3).join('/');

function topPackages(metafile, files, count) {
  const bytes = new Map();
  for (const f of files)
    for (const [input, { bytesInOutput }] of Object.entries(metafile.outputs[f].inputs))
      bytes.set(packageOf(input), (bytes.get(packageOf(input)) ?? 0) + bytesInOutput);
  return [...bytes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, n]) => `${name} ${kib(n)}`)
    .join(', ');
}

function report(task) {
  const metafile = JSON.parse(fs.readFileSync(path.join(root, 'build', 'meta', `${task}.json`), 'utf8'));
  const outputs = Object.keys(metafile.outputs);
  const main = outputs.find((f) => f.endsWith('/main.mjs'));
  const start = startupFiles(metafile, main);
  const lazy = outputs.filter((f) => !start.includes(f));
  const sum = (files) => files.reduce((n, f) => n + metafile.outputs[f].bytes, 0);
  console.log(`${task}: ${kib(sum(start))} at start-up, ${kib(sum(outputs))} in all`);
  for (const f of outputs)
    console.log(
      `  ${path.relative(path.join(root, 'build', 'tasks', task), f)} ${kib(metafile.outputs[f].bytes)}`,
    );
  console.log(`  start-up: ${topPackages(metafile, start, 8)}`);
  if (lazy.length > 0) console.log(`  lazy: ${topPackages(metafile, lazy, 8)}`);
}

function timeStartups(tasks, runs, node, compileCache) {
  const agent = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-startup-'));
  const env = { PATH: process.env.PATH, AGENT_TEMPDIRECTORY: path.join(agent, 'temp') };
  // index.js keeps its cache beside the task (build/tasks/<Task>/, cleared by the next build).
  if (!compileCache) env.NODE_DISABLE_COMPILE_CACHE = '1';
  for (const d of ['temp', 'tools']) fs.mkdirSync(path.join(agent, d));
  const targets = [
    ['node -e 0', ['-e', '0']],
    ...tasks.map((t) => [t, [path.join(root, 'build', 'tasks', t, 'index.js')]]),
  ];
  const times = new Map(targets.map(([name]) => [name, []]));
  for (let i = 0; i < runs; i++) {
    for (const [name, args] of targets) {
      const t0 = process.hrtime.bigint();
      spawnSync(node, args, { stdio: 'ignore', env, cwd: path.join(agent, 'temp') });
      times.get(name).push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
  }
  fs.rmSync(agent, { recursive: true, force: true });
  const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
  const base = median(times.get('node -e 0'));
  console.log(
    `\nStart-up to the failed result, no inputs (${node}, ${runs} runs${compileCache ? ', compile cache' : ''}):`,
  );
  for (const [name, v] of times)
    console.log(
      `  ${name.padEnd(26)} ${median(v).toFixed(0).padStart(5)} ms (${Math.min(...v).toFixed(0)}-${Math.max(...v).toFixed(0)})  ${(median(v) / base).toFixed(2)}x`,
    );
}

const tasks = fs.readdirSync(path.join(root, 'build', 'tasks')).sort();
for (const task of tasks) report(task);
const argv = process.argv.slice(2);
if (argv.includes('--startup')) {
  const runs = Number(argv[argv.indexOf('--startup') + 1]) || 7;
  const node = argv.includes('--node') ? path.resolve(argv[argv.indexOf('--node') + 1]) : process.execPath;
  timeStartups(tasks, runs, node, argv.includes('--compile-cache'));
}
