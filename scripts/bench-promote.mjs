// Benchmark of PromoteImage@1 against two local CNCF registries, side by side with `skopeo copy`
// and, cross-registry, with the limit: a raw parallel stream copy (`curl` of every blob piped into
// a `curl` upload to the target, all blobs at once, then the manifests). Wall times and registry
// requests (from the registry's access log) per variant; every run writes to new repositories.
// skopeo "cold" has its blob-info cache removed first (a fresh agent), "warm" keeps it (it can mount).
import fs from 'node:fs';
import {
  alternate,
  exec,
  field,
  measured,
  MB,
  outTest,
  stat,
  task,
  timed,
  withRequests,
} from './bench-lib.mjs';

const SKOPEO_CACHES = [
  '/var/lib/containers/cache/blob-info-cache-v1.boltdb',
  '/var/lib/containers/cache/blob-info-cache-v1.sqlite',
];

function skopeoArgs(source, target) {
  return [
    'copy',
    '--all',
    '--src-tls-verify=false',
    '--dest-tls-verify=false',
    '--quiet',
    `docker://${source}`,
    `docker://${target}`,
  ];
}

function skopeoCopy(skopeo, source, target, { cold = true } = {}) {
  if (cold) for (const cache of SKOPEO_CACHES) fs.rmSync(cache, { force: true });
  return exec(skopeo, skopeoArgs(source, target));
}

/** The limit: every blob streamed source -> target by curl at once, then the manifests, index last. */
async function curlCopy(src, srcRepo, image, dst, dstRepo) {
  const base = (reg) => `${reg.scheme}://${reg.host}`;
  await Promise.all(
    image.blobs.map(async (blob) => {
      const started = await fetch(`${base(dst)}/v2/${dstRepo}/blobs/uploads/`, { method: 'POST' });
      const upload = new URL(started.headers.get('location'), base(dst));
      upload.searchParams.set('digest', blob.digest);
      await exec('bash', [
        '-c',
        'set -o pipefail; curl -sSf "$1" | curl -sSf -X PUT -H "Content-Type: application/octet-stream" -T - "$2" -o /dev/null',
        'bash',
        `${base(src)}/v2/${srcRepo}/blobs/${blob.digest}`,
        upload.href,
      ]);
    }),
  );
  const put = async (reference, mediaType, body) => {
    const r = await fetch(`${base(dst)}/v2/${dstRepo}/manifests/${reference}`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body,
    });
    if (r.status !== 201) throw new Error(`curl copy: manifest PUT ${r.status}`);
  };
  const children = image.children.filter((c) => c.digest !== image.digest);
  await Promise.all(children.map((c) => put(c.digest, c.mediaType, c.body)));
  await put('v1', image.mediaType, image.body);
}

// The copy as skopeo makes it: no promotion record (the report gives the record's own cost, from
// scripts/bench-gate.mjs, in its issue 16 section).
const promote = (source, target, options) =>
  task('PromoteImageV1', { sourceImage: source, targetImage: target, recordPromotion: 'false' }, options);

/** Same registry: ours, skopeo cold, skopeo warm; wall and requests. */
async function sameRegistry(a, skopeo, runs, layers) {
  await outTest('emulators/registry/images.js').pushImage(a, 'bench/same', {
    format: 'oci',
    layers: Array(layers).fill(20 * MB),
    tag: 'v1',
  });
  const src = `${a.host}/bench/same:v1`;
  const variants = {
    ours: (i) => withRequests([a], () => promote(src, `${a.host}/prod/same-task-${i}:v1`).then(() => ({}))),
  };
  if (skopeo) {
    variants.skopeoCold = (i) =>
      withRequests([a], () => skopeoCopy(skopeo, src, `${a.host}/prod/same-skc-${i}:v1`));
    variants.skopeoWarm = (i) =>
      withRequests([a], () => skopeoCopy(skopeo, src, `${a.host}/prod/same-skw-${i}:v1`, { cold: false }));
  }
  return summarize(await alternate(runs, variants), { layers });
}

function summarize(samples, extra = {}) {
  const out = { ...extra };
  for (const [name, s] of Object.entries(samples)) {
    out[name] = {
      seconds: field(s, 'seconds'),
      requests: field(s, 'requests'),
      uploads: field(s, 'uploads'),
    };
    if (s[0].rssMiB !== undefined) out[name].rssMiB = field(s, 'rssMiB');
  }
  return out;
}

/** Cross registry: ours, skopeo (cold), raw curl stream copy. */
async function crossRegistry(a, b, skopeo, runs, repo, pushOptions, { node } = {}) {
  const image = await outTest('emulators/registry/images.js').pushImage(a, `bench/${repo}`, {
    format: 'oci',
    tag: 'v1',
    ...pushOptions,
  });
  const src = `${a.host}/bench/${repo}:v1`;
  const variants = {
    ours: (i) =>
      withRequests([a, b], async () => {
        const probe = node?.probe();
        await promote(src, `${b.host}/prod/${repo}-task-${i}:v1`, { node: node?.path, env: probe?.env });
        return probe ? { rssMiB: probe.read().rssMiB } : {};
      }),
    curl: (i) => withRequests([a, b], () => curlCopy(a, `bench/${repo}`, image, b, `prod/${repo}-curl-${i}`)),
  };
  if (skopeo)
    variants.skopeo = (i) =>
      withRequests([a, b], async () => {
        for (const cache of SKOPEO_CACHES) fs.rmSync(cache, { force: true });
        if (!node) return skopeoCopy(skopeo, src, `${b.host}/prod/${repo}-sk-${i}:v1`);
        const { rssMiB } = await measured(skopeo, skopeoArgs(src, `${b.host}/prod/${repo}-sk-${i}:v1`));
        return { rssMiB };
      });
  return summarize(await alternate(runs, variants), {
    bytes: image.blobs.reduce((s, blob) => s + blob.size, 0),
  });
}

/** N images in one step against N skopeo runs, for each N; and N task runs at the headline N. */
async function manyImages(a, b, skopeo, runs, sizes, stepRunsAt) {
  const { pushImage } = outTest('emulators/registry/images.js');
  const max = Math.max(...sizes);
  for (let i = 0; i < max; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, max - i) }, (_, k) =>
        pushImage(a, `bench/svc${i + k}`, { format: 'oci', layers: [512 * 1024, 2 * MB], tag: 'v1' }),
      ),
    );
  }
  const src = (n) => Array.from({ length: n }, (_, k) => `${a.host}/bench/svc${k}:v1`);
  const dst = (n, tag) => Array.from({ length: n }, (_, k) => `${b.host}/prod/svc${k}-${tag}:v1`);
  const points = [];
  for (const n of sizes) {
    const variants = {
      ours: async (i) =>
        (await timed(() => promote(src(n).join('\n'), dst(n, `t${n}r${i}`).join('\n')))).seconds,
    };
    if (skopeo)
      variants.skopeo = async (i) =>
        (
          await timed(async () => {
            const targets = dst(n, `s${n}r${i}`);
            for (const [k, s] of src(n).entries()) await skopeoCopy(skopeo, s, targets[k]);
          })
        ).seconds;
    const s = await alternate(runs, variants);
    points.push({ n, ours: stat(s.ours), skopeo: s.skopeo && stat(s.skopeo) });
  }
  const taskRuns = await alternate(Math.min(runs, 2), {
    runs: async (i) =>
      (
        await timed(async () => {
          const targets = dst(stepRunsAt, `runs${i}`);
          for (const [k, s] of src(stepRunsAt).entries()) await promote(s, targets[k]);
        })
      ).seconds,
  });
  return { points, taskRuns: stat(taskRuns.runs), at: stepRunsAt };
}

/** Promotion of L layers (1 MiB each), same and cross registry: wall and requests per L. */
async function layerScaling(a, b, runs, sizes) {
  const { pushImage } = outTest('emulators/registry/images.js');
  const points = [];
  for (const layers of sizes) {
    await pushImage(a, `bench/layers${layers}`, { format: 'oci', layers: Array(layers).fill(MB), tag: 'v1' });
    const src = `${a.host}/bench/layers${layers}:v1`;
    const s = await alternate(runs, {
      same: (i) =>
        withRequests([a], () => promote(src, `${a.host}/prod/l${layers}-same-${i}:v1`).then(() => ({}))),
      cross: (i) =>
        withRequests([a, b], () => promote(src, `${b.host}/prod/l${layers}-x-${i}:v1`).then(() => ({}))),
    });
    points.push({ layers, ...summarize(s) });
  }
  return points;
}

export async function benchPromote({ quick, runs, skopeo, node }) {
  const { startRegistry } = outTest('emulators/registry/index.js');
  const { disposeTaskRuns } = outTest('support/taskRunner.js');
  const [a, b] = await Promise.all([
    startRegistry({ auth: 'anonymous' }),
    startRegistry({ auth: 'anonymous' }),
  ]);
  const log = (what) => console.log(`  promote: ${what}`);
  try {
    const result = {};
    log('same registry, 5 layers, 100 MB');
    result.same = await sameRegistry(a, skopeo, runs, 5);
    log('cross registry, 8 x 25 MB');
    result.cross = await crossRegistry(a, b, skopeo, runs, 'cross', { layers: Array(8).fill(25 * MB) });
    log('cross registry, 4-platform index');
    result.index = await crossRegistry(a, b, skopeo, runs, 'index', {
      layers: [8 * MB, 8 * MB],
      platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7', 'linux/s390x'],
    });
    const big = quick ? 256 * MB : 1024 * MB;
    log(`cross registry, one ${big / MB} MiB layer`);
    result.large = await crossRegistry(a, b, skopeo, quick ? 1 : 2, 'large', { layers: [big] }, { node });
    const sizes = quick ? [1, 5, 20] : [1, 5, 20, 100];
    log(`many images: ${sizes.join(', ')}`);
    result.many = await manyImages(a, b, skopeo, quick ? 1 : runs, sizes, 20);
    const layerSizes = [1, 10, 50];
    log(`layer scaling: ${layerSizes.join(', ')}`);
    result.layers = await layerScaling(a, b, quick ? 1 : runs, layerSizes);
    return result;
  } finally {
    disposeTaskRuns();
    await Promise.all([a.stop(), b.stop()]);
  }
}
