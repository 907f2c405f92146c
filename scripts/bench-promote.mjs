// Benchmark (not a test) of PromoteImage@1 against the local registry, side by side with
// `skopeo copy` in one run: same-registry copy of a 5-layer ~100 MB image, cross-registry copy of
// ~200 MB in 8 layers, and 20 images. Reports wall times, their ratios and the registry requests
// each made (from the registry's access log). skopeo is measured cold (its blob-info cache removed
// before each copy, as on a fresh agent) and warm (cache kept, so it can mount). Run
// `node scripts/build.mjs && node scripts/package.mjs` first: it runs the packaged task as the agent does.
//   node scripts/bench-promote.mjs
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { exec, root } from './lib.mjs';
import path from 'node:path';

const require = createRequire(import.meta.url);
const out = (p) => path.join(root, 'out', 'test', p);
const { startRegistry } = require(out('emulators/registry/index.js'));
const { pushImage } = require(out('emulators/registry/images.js'));
const { runTask, disposeTaskRuns } = require(out('support/taskRunner.js'));
const { findTool } = require(out('support/tools.js'));

const MB = 1024 * 1024;
const SKOPEO_CACHES = [
  '/var/lib/containers/cache/blob-info-cache-v1.boltdb',
  '/var/lib/containers/cache/blob-info-cache-v1.sqlite',
];

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

async function promote(source, target) {
  const run = await runTask({
    task: { shipped: 'PromoteImageV1' },
    inputs: { sourceImage: source, targetImage: target },
    timeoutMs: 600_000,
  });
  if (run.agentResult !== 'Succeeded') throw new Error(`PromoteImage failed: ${run.message}`);
  run.dispose();
  return run;
}

function skopeoCopy(skopeo, source, target, { cold }) {
  if (cold) for (const cache of SKOPEO_CACHES) fs.rmSync(cache, { force: true });
  return exec(skopeo, [
    'copy',
    '--all',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--quiet',
    `docker://${source}`,
    `docker://${target}`,
  ]);
}

async function requestsDuring(registries, fn) {
  registries.forEach((r) => r.resetRequests());
  const seconds = await timed(fn);
  const counts = await Promise.all(registries.map(async (r) => (await r.requests()).length));
  return { seconds, requests: counts.reduce((a, b) => a + b, 0) };
}

const rows = [];
function report(scenario, tool, { seconds, requests }, baseline) {
  rows.push({
    scenario,
    tool,
    seconds: seconds.toFixed(2),
    requests,
    'vs task': baseline ? (seconds / baseline.seconds).toFixed(2) : '',
  });
}

async function scenario(name, registries, promoteFn, skopeoFn, skopeo) {
  const task = await requestsDuring(registries, promoteFn);
  report(name, 'PromoteImage', task);
  if (!skopeo) return;
  report(
    name,
    'skopeo (cold cache)',
    await requestsDuring(registries, () => skopeoFn({ cold: true, run: 'cold' })),
    task,
  );
  report(
    name,
    'skopeo (warm cache)',
    await requestsDuring(registries, () => skopeoFn({ cold: false, run: 'warm' })),
    task,
  );
}

async function main() {
  const skopeo = findTool('SKOPEO_BIN');
  if (!skopeo) console.log('skopeo not found (Debian package skopeo): reporting PromoteImage alone.');
  const [a, b] = await Promise.all([
    startRegistry({ auth: 'anonymous' }),
    startRegistry({ auth: 'anonymous' }),
  ]);
  try {
    const same = await pushImage(a, 'bench/same', {
      format: 'oci',
      layers: Array(5).fill(20 * MB),
      tag: 'v1',
    });
    await scenario(
      'same registry, 5 layers, 100 MB',
      [a],
      () => promote(`${a.host}/bench/same:v1`, `${a.host}/prod/same-task:v1`),
      (o) => skopeoCopy(skopeo, `${a.host}/bench/same:v1`, `${a.host}/prod/same-skopeo-${o.run}:v1`, o),
      skopeo,
    );
    console.log(`  (${same.blobs.length} blobs)`);

    await pushImage(a, 'bench/cross', { format: 'oci', layers: Array(8).fill(25 * MB), tag: 'v1' });
    await scenario(
      'cross registry, 8 layers, 200 MB',
      [a, b],
      () => promote(`${a.host}/bench/cross:v1`, `${b.host}/prod/cross-task:v1`),
      (o) => skopeoCopy(skopeo, `${a.host}/bench/cross:v1`, `${b.host}/prod/cross-skopeo-${o.run}:v1`, o),
      skopeo,
    );

    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pushImage(a, `bench/svc${i}`, { format: 'oci', layers: [512 * 1024, 2 * MB], tag: 'v1' }),
      ),
    );
    const sources = Array.from({ length: 20 }, (_, i) => `${a.host}/bench/svc${i}:v1`);
    await scenario(
      '20 images, cross registry, one step',
      [a, b],
      () => promote(sources.join('\n'), sources.map((_, i) => `${b.host}/prod/svc${i}-task:v1`).join('\n')),
      async (o) => {
        for (let i = 0; i < 20; i++)
          await skopeoCopy(skopeo, sources[i], `${b.host}/prod/svc${i}-skopeo-${o.run}:v1`, o);
      },
      skopeo,
    );
    report(
      '20 images, cross registry, 20 task runs',
      'PromoteImage',
      await requestsDuring([a, b], async () => {
        for (let i = 0; i < 20; i++) await promote(sources[i], `${b.host}/prod/svc${i}-runs:v1`);
      }),
    );
  } finally {
    disposeTaskRuns();
    await Promise.all([a.stop(), b.stop()]);
  }
  console.table(rows);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
