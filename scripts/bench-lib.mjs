// Helpers shared by the benchmarks (scripts/bench*.mjs): A/B alternating samples, medians with
// min-max, a Node wrapper that records a task's first log line and peak RSS, and quiet commands.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { root } from './lib.mjs';

const require = createRequire(import.meta.url);
/** A compiled module of out/test (registry fixture, task runner, emulators). */
export const outTest = (p) => require(path.join(root, 'out', 'test', p));

export const MB = 1024 * 1024;

/** Median, min and max of numbers. */
export function stat(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1], n: sorted.length };
}

/** `0.27 s (0.25-0.30, 3 runs)`, or `0.27 s` for one run. */
export function fmt(s, unit = 's', digits = 2) {
  if (!s) return 'not measured';
  const f = (v) => v.toFixed(digits);
  const range = s.n > 1 ? ` (${f(s.min)}-${f(s.max)}, ${s.n} runs)` : '';
  return `${f(s.median)} ${unit}${range}`;
}

export async function timed(fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, result };
}

/**
 * Runs every variant `runs` times, alternating the order each run (A B C, then C B A...) so that
 * drift on a shared machine falls on all of them. `variants` maps a name to fn(runIndex) returning
 * a number or an object of numbers; the answer maps each name to its samples.
 */
export async function alternate(runs, variants) {
  const names = Object.keys(variants);
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? names : [...names].reverse();
    for (const name of order) samples[name].push(await variants[name](i));
  }
  return samples;
}

/** stat() of one field of object samples. */
export const field = (samples, key) => stat(samples.map((s) => s[key]));

/** Runs a command quietly; resolves with its stdout when it exits 0, rejects with its stderr otherwise. */
export function exec(cmd, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${cmd} ${args[0]} exited ${code}: ${stderr}`)),
    );
  });
}

/** Peak RSS (MiB) and wall time (s) of a command, from GNU time. */
export async function measured(cmd, args) {
  const file = path.join(os.tmpdir(), `bench-time-${process.pid}-${Date.now()}`);
  const { seconds } = await timed(() => exec('/usr/bin/time', ['-f', '%M', '-o', file, cmd, ...args]));
  const rssMiB = Number(fs.readFileSync(file, 'utf8').trim().split('\n').pop()) / 1024;
  fs.rmSync(file, { force: true });
  return { seconds, rssMiB };
}

/**
 * A Node "binary" for runTask's `node` option: a bash wrapper around `node` that, when the run's
 * environment names BENCH_STATS, writes the start time, the time of the first line on stdout (the
 * first log line) and the exit time (ns), and peak RSS (KiB) from GNU time, to that file prefix.
 * Without BENCH_STATS (runTask's `--version` probe) it is `node` itself.
 */
export function statsNode(node, dir) {
  const wrapper = path.join(dir, 'node');
  fs.writeFileSync(
    wrapper,
    `#!/bin/bash
[ -z "$BENCH_STATS" ] && exec '${node}' "$@"
start=$(date +%s%N)
/usr/bin/time -f '%M' -o "$BENCH_STATS.rss" '${node}' "$@" | {
  first=''
  while IFS= read -r line; do
    [ -z "$first" ] && first=$(date +%s%N) && echo "$first" > "$BENCH_STATS.first"
    printf '%s\\n' "$line"
  done
}
code=\${PIPESTATUS[0]}
echo "$start $(date +%s%N)" > "$BENCH_STATS.wall"
exit $code
`,
    { mode: 0o755 },
  );
  let n = 0;
  return {
    path: wrapper,
    /** A fresh BENCH_STATS prefix for one run, and a reader of what the wrapper wrote. */
    probe() {
      const prefix = path.join(dir, `run-${n++}`);
      return {
        env: { BENCH_STATS: prefix },
        read() {
          const text = (ext) => fs.readFileSync(`${prefix}.${ext}`, 'utf8').trim();
          const [start, end] = text('wall').split(' ').map(BigInt);
          const first = fs.existsSync(`${prefix}.first`) ? BigInt(text('first')) : end;
          const rss = Number(text('rss').split('\n').pop());
          return {
            firstLine: Number(first - start) / 1e9,
            wall: Number(end - start) / 1e9,
            rssMiB: rss / 1024,
          };
        },
      };
    },
  };
}

/** Runs a shipped task through the agent-like runner; throws unless `expect` is its result. */
export async function task(name, inputs, { node, env, expect = 'Succeeded', timeoutMs = 900_000 } = {}) {
  const { runTask } = outTest('support/taskRunner.js');
  const run = await runTask({ task: { shipped: name }, inputs, node, env, timeoutMs });
  run.dispose();
  if (run.agentResult !== expect)
    throw new Error(`${name}: ${run.agentResult}: ${run.message ?? run.stdout}`);
  return run;
}

/** Wall time, registry requests and blob uploads carrying bytes (summed over `registries`) of fn. */
export async function withRequests(registries, fn) {
  registries.forEach((r) => r.resetRequests());
  const { seconds, result } = await timed(fn);
  const logs = (await Promise.all(registries.map((r) => r.requests()))).flat();
  // Blob bytes sent: the PATCH or PUT of an upload session (a mount is a POST, a HEAD sends none).
  const uploads = logs.filter(
    (r) => /\/blobs\/uploads\//.test(r.path) && ['PUT', 'PATCH'].includes(r.method),
  ).length;
  return { seconds, requests: logs.length, uploads, ...(result ?? {}) };
}
