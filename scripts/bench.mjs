// `npm run bench [-- --quick] [--runs N] [--no-build] [--note "..."]`: builds and packs, then runs
// every benchmark side by side (this project against the alternative, alternating, several runs)
// against local registries and emulators, and writes bench/results.md with SVG charts beside it.
// Benchmarks measure; they never pass or fail on a time. --quick: fewer runs and smaller sizes,
// within 3 minutes (see QUICK).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from './build.mjs';
import { benchGate } from './bench-gate.mjs';
import { benchKeyVault } from './bench-keyvault.mjs';
import { statsNode } from './bench-lib.mjs';
import { benchPin } from './bench-pin.mjs';
import { benchPromote } from './bench-promote.mjs';
import { writeReport } from './bench-report.mjs';
import { benchStartup, bundleSizes } from './bench-startup.mjs';
import { bin, root, run, step } from './lib.mjs';
import { pack } from './package.mjs';
import { provision } from './provision.mjs';

const QUICK =
  '2 runs (3 for start-up, 1 for the large layer, images, layers and pin scaling), a 256 MiB layer instead of 1 GiB, ' +
  '1/5/20 images (no 100), pin scaling to 1,000 references (no 10,000), `skopeo inspect` on 60 of the ' +
  '300 references (scaled), Key Vault at concurrency 4/16/32/64 and 50/500 secrets (no 5,000)';

const argv = process.argv.slice(2);
const option = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};

const firstLine = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? `${r.stdout}${r.stderr}`.trim().split('\n')[0] : 'not available';
};

function machine() {
  const release = fs.existsSync('/etc/os-release')
    ? /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1]
    : undefined;
  return {
    CPU: os.cpus()[0]?.model ?? 'unknown',
    cores: os.availableParallelism(),
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    OS: `${release ?? os.type()} (kernel ${os.release()}, ${os.arch()})`,
    'load average at start (1 min)': os.loadavg()[0].toFixed(2),
  };
}

function versions(tools, taskNode) {
  return {
    'Node (bench)': process.version,
    'Node (tasks, as the Node24 handler)': firstLine(taskNode, ['--version']),
    skopeo: tools.SKOPEO_BIN ? firstLine(tools.SKOPEO_BIN, ['--version']) : 'not available',
    'Helm 3': firstLine(tools.HELM3_BIN, ['version', '--short']),
    'Helm 4': firstLine(tools.HELM4_BIN, ['version', '--short']),
    registry: firstLine(tools.DOCKER_REGISTRY_BIN, ['--version']),
    curl: firstLine('curl', ['--version']),
  };
}

async function main() {
  const quick = argv.includes('--quick');
  const runs = Number(option('runs') ?? (quick ? 2 : 5));
  const started = Date.now();
  const tools = provision({ browser: false, node24: true });
  if (!argv.includes('--no-build')) {
    await build();
    pack({ dev: false });
  }
  // Tasks run on Node 24, as an agent's default Node24 handler does.
  const taskNode = process.env.NODE_FOR_TASKS || tools.NODE24_BIN;
  process.env.NODE_FOR_TASKS = taskNode;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const node = statsNode(taskNode, tmp);
  const skopeo = tools.SKOPEO_BIN;
  const results = {
    meta: {
      date: new Date().toISOString(),
      quick,
      quickNote: QUICK,
      runs,
      note: option('note'),
      machine: machine(),
      versions: versions(tools, taskNode),
    },
  };
  try {
    step('Bundles and start-up');
    results.bundles = bundleSizes();
    results.startup = await benchStartup({
      runs: Math.max(runs, 3),
      node,
      cacheDir: path.join(tmp, 'compile-cache'),
    });
    step('Promotion');
    results.promote = await benchPromote({ quick, runs, skopeo, node });
    step('Pinning');
    results.pin = await benchPin({ quick, runs, skopeo });
    step('Key Vault');
    results.keyvault = await benchKeyVault({ quick, runs });
    step('Signature gate and promotion record (issue 16)');
    results.gate = await benchGate({ runs: quick ? 1 : 3, images: 4 });
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  const seconds = (Date.now() - started) / 1000;
  results.meta.machine['load average at end (1 min)'] = os.loadavg()[0].toFixed(2);
  results.meta.machine['bench duration'] = `${seconds.toFixed(0)} s (build and pack included)`;
  const rows = writeReport(path.join(root, 'bench'), results);
  // Formatted as the repository is (prettier --check runs in CI).
  run(bin('prettier'), ['--log-level', 'warn', '--write', 'bench/results.md', 'bench/results.json']);
  step('Results (bench/results.md)');
  for (const r of rows)
    console.log(`${r.status.padEnd(17)} ${r.work}: ${r.ours}${r.ratio ? ` (${r.ratio})` : ''}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
