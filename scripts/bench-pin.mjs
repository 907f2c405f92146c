// Benchmark of PinImageDigests@1 against the local registry: 300 image references (100 unique)
// across 150 files, side by side with one `skopeo inspect` per reference; then the scaling of
// 10, 100, 1,000 (and 10,000) references, a tenth of them unique, two per file. Wall time of the
// whole task process and the registry requests it made (they should equal the unique references).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { alternate, exec, field, outTest, task, withRequests } from './bench-lib.mjs';

const PER_FILE = 2;
const CONCURRENT_PUSHES = 8;

/** Writes refs / PER_FILE Kubernetes manifests holding `refs` references to `unique` images. */
function writeWorkspace(dir, host, refs, unique) {
  const references = [];
  for (let f = 0; f < refs / PER_FILE; f++) {
    const containers = [];
    for (let c = 0; c < PER_FILE; c++) {
      const n = (f * PER_FILE + c) % unique;
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

async function pushAll(reg, unique) {
  const { pushImage } = outTest('emulators/registry/images.js');
  for (let i = 0; i < unique; i += CONCURRENT_PUSHES) {
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENT_PUSHES, unique - i) }, (_, k) => i + k).map((n) =>
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

/** One pin run over a fresh workspace; wall time, requests and the images in the lock file. */
async function pin(reg, refs, unique) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-pin-'));
  try {
    writeWorkspace(dir, reg.host, refs, unique);
    const lockFile = path.join(dir, 'image-lock.json');
    return await withRequests([reg], async () => {
      await task('PinImageDigestsV1', { files: '**/*.yaml', workingDirectory: dir, lockFile });
      return { pinned: JSON.parse(fs.readFileSync(lockFile, 'utf8')).images.length };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchPin({ quick, runs, skopeo }) {
  const { startRegistry } = outTest('emulators/registry/index.js');
  const { disposeTaskRuns } = outTest('support/taskRunner.js');
  const reg = await startRegistry();
  const sizes = quick ? [10, 100, 1000] : [10, 100, 1000, 10000];
  try {
    const maxUnique = Math.max(100, ...sizes.map((n) => n / 10));
    console.log(`  pin: pushing ${maxUnique} images`);
    await pushAll(reg, maxUnique);

    console.log('  pin: 300 references (100 unique), 150 files');
    const headline = { refs: 300, unique: 100 };
    const refsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-refs-'));
    const references = writeWorkspace(refsDir, reg.host, 300, 100);
    fs.rmSync(refsDir, { recursive: true, force: true });
    const inspected = quick ? references.slice(0, 60) : references;
    const variants = { ours: () => pin(reg, 300, 100) };
    if (skopeo)
      variants.skopeo = () =>
        withRequests([reg], async () => {
          for (const r of inspected) await exec(skopeo, ['inspect', '--tls-verify=false', `docker://${r}`]);
        });
    const s = await alternate(quick ? 1 : runs, variants);
    const scale = references.length / inspected.length;
    headline.ours = { seconds: field(s.ours, 'seconds'), requests: field(s.ours, 'requests') };
    headline.pinned = s.ours[0].pinned;
    if (skopeo) {
      const scaled = s.skopeo.map((x) => ({ seconds: x.seconds * scale, requests: x.requests * scale }));
      headline.skopeo = { seconds: field(scaled, 'seconds'), requests: field(scaled, 'requests') };
      headline.skopeoInspected = inspected.length;
    }

    const points = [];
    for (const refs of sizes) {
      console.log(`  pin: ${refs} references`);
      const r = await alternate(quick ? 1 : runs, { ours: () => pin(reg, refs, refs / 10) });
      points.push({ refs, seconds: field(r.ours, 'seconds'), requests: field(r.ours, 'requests') });
    }
    return { headline, points };
  } finally {
    disposeTaskRuns();
    await reg.stop();
  }
}
