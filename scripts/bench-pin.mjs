// Benchmark (not a test) of PinImageDigests@1 against the local registry: 300 image references
// (100 unique) across 150 files. Reports the registry requests the task made (they should equal
// the unique references) and its whole-process time, side by side with resolving the same 300
// references one `skopeo inspect` at a time. Run `node scripts/build.mjs && node scripts/package.mjs`
// first; it uses the compiled test fixtures (out/) and the packaged task.
//   node scripts/bench-pin.mjs [--unique 100] [--files 150] [--per-file 2]
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { exec, root } from './lib.mjs';

const require = createRequire(import.meta.url);
const out = (p) => path.join(root, 'out', 'test', p);
const { startRegistry } = require(out('emulators/registry/index.js'));
const { pushImage } = require(out('emulators/registry/images.js'));
const { runTask, disposeTaskRuns } = require(out('support/taskRunner.js'));
const { toolPath } = require(out('support/tools.js'));

function option(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const UNIQUE = option('unique', 100);
const FILES = option('files', 150);
const PER_FILE = option('per-file', 2);
const CONCURRENT_PUSHES = 8;

/** Writes FILES Kubernetes manifests holding FILES * PER_FILE references to the UNIQUE images. */
function writeWorkspace(dir, host) {
  const references = [];
  for (let f = 0; f < FILES; f++) {
    const containers = [];
    for (let c = 0; c < PER_FILE; c++) {
      const n = (f * PER_FILE + c) % UNIQUE;
      const reference = `${host}/bench/app-${n}:1.${n}`;
      references.push(reference);
      containers.push(`        - name: c${c}\n          image: ${reference}  # container ${c}\n`);
    }
    const text =
      `# bench file ${f}\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-${f}\n` +
      `spec:\n  template:\n    spec:\n      containers:\n${containers.join('')}`;
    fs.mkdirSync(path.join(dir, `svc-${f % 10}`), { recursive: true });
    fs.writeFileSync(path.join(dir, `svc-${f % 10}`, `deploy-${f}.yaml`), text);
  }
  return references;
}

async function pushAll(reg) {
  const names = Array.from({ length: UNIQUE }, (_, n) => n);
  for (let i = 0; i < names.length; i += CONCURRENT_PUSHES) {
    await Promise.all(
      names.slice(i, i + CONCURRENT_PUSHES).map((n) =>
        pushImage(reg, `bench/app-${n}`, {
          format: n % 2 === 0 ? 'oci' : 'docker',
          tag: `1.${n}`,
          layers: [512],
          ...(n % 3 === 0 ? { platforms: ['linux/amd64', 'linux/arm64'] } : {}),
        }),
      ),
    );
  }
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;

async function main() {
  const skopeo = toolPath('SKOPEO_BIN');
  const reg = await startRegistry();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pin-'));
  try {
    console.log(`Pushing ${UNIQUE} images to ${reg.host} ...`);
    await pushAll(reg);
    const references = writeWorkspace(dir, reg.host);
    console.log(`${references.length} references (${new Set(references).size} unique) in ${FILES} files`);

    reg.resetRequests();
    const started = performance.now();
    const result = await runTask({
      task: { shipped: 'PinImageDigestsV1' },
      inputs: { files: '**/*.yaml', workingDirectory: dir, lockFile: path.join(dir, 'image-lock.json') },
      timeoutMs: 300_000,
    });
    const taskMs = performance.now() - started;
    if (result.agentResult !== 'Succeeded')
      throw new Error(`the task failed: ${result.message ?? result.stdout}`);
    const taskRequests = await reg.requests();
    const pinned = JSON.parse(fs.readFileSync(path.join(dir, 'image-lock.json'), 'utf8')).images.length;
    disposeTaskRuns();

    reg.resetRequests();
    const skopeoStarted = performance.now();
    for (const reference of references) {
      await exec(skopeo, ['inspect', '--tls-verify=false', `docker://${reference}`]);
    }
    const skopeoMs = performance.now() - skopeoStarted;
    const skopeoRequests = await reg.requests();

    const rows = [
      ['', 'PinImageDigests (one process)', `skopeo inspect x ${references.length}`],
      ['wall time', seconds(taskMs), seconds(skopeoMs)],
      ['registry requests', String(taskRequests.length), String(skopeoRequests.length)],
      ['images pinned / resolved', String(pinned), String(references.length)],
    ];
    console.log('');
    for (const row of rows) console.log(`${row[0].padEnd(26)}${row[1].padEnd(32)}${row[2]}`);
    console.log('');
    console.log(`time ratio: ${(taskMs / skopeoMs).toFixed(3)} (target <= 0.1)`);
    console.log(
      `registry requests == unique references: ${taskRequests.length === new Set(references).size} ` +
        `(${taskRequests.length} vs ${new Set(references).size})`,
    );
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await reg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
