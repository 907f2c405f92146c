// Benchmark (not a test) of PromoteImage@1's signature gate against the local registry: the same
// cross-registry promotion of single-platform images without the gate and with it, per signature
// form (cosign `.sig` tag, keyed Sigstore bundle referrer, Notation JWS referrer; distribution 2.8
// has no referrers API, so referrers come through the `sha256-<hex>` fallback index). Reports, per
// image, the extra registry requests (from the registry's access log) and the extra wall time
// (median of RUNS). Run `npm test -- test/tasks/PromoteImage/signatureGate` (or build, package and
// tsc) first: it runs the packaged task as the agent does and uses the compiled test helpers.
// `npm run bench` runs it too (benchGate) and writes its rows into bench/results.md; alone:
//   node scripts/bench-gate.mjs
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { root } from './lib.mjs';

const require = createRequire(import.meta.url);
const out = (p) => path.join(root, 'out', 'test', p);
/** The compiled test helpers (`npm run build` or `npm test` compiles them into out/). */
function helpers() {
  return {
    ...require(out('emulators/registry/index.js')),
    ...require(out('support/taskRunner.js')),
    ...require(out('support/signedImages.js')),
    sig: require(out('common/signatures/cosignArtifacts.js')),
    notation: require(out('common/signatures/notationArtifacts.js')),
    mediaTypes: require(path.join(root, 'out', 'tasks', 'common', 'signatures', 'index.js')).mediaTypes,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Promotes `repos` from `from` to `to`; `targets` names each line's target repository (default: the same). */
async function promoteAll(h, from, to, repos, policy, targets = repos) {
  const started = process.hrtime.bigint();
  const run = await h.runTask({
    task: { shipped: 'PromoteImageV1' },
    inputs: {
      sourceImage: repos.map((r) => `${from.host}/${r}:1.0`).join('\n'),
      targetImage: targets.map((r) => `${to.host}/${r}:1.0`).join('\n'),
      overwrite: 'always',
      copyReferrers: 'false',
      recordPromotion: 'false',
      ...policy,
    },
    timeoutMs: 600_000,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.agentResult !== 'Succeeded') throw new Error(`PromoteImage failed: ${run.message}`);
  run.dispose();
  return seconds;
}

async function measure(h, runs, from, to, repos, policy, targets = repos) {
  const times = [];
  let requests = 0;
  let targetRequests = 0;
  for (let i = 0; i < runs; i++) {
    from.resetRequests();
    to.resetRequests();
    times.push(await promoteAll(h, from, to, repos, policy, targets));
    requests = (await from.requests()).length;
    targetRequests = (await to.requests()).length;
  }
  return { seconds: median(times), requests, targetRequests };
}

const row = (form, images, plain, gated, count = 'requests') => ({
  form,
  images,
  'requests without': plain[count],
  'requests with': gated[count],
  'extra requests / image': ((gated[count] - plain[count]) / images).toFixed(2),
  'median s without': plain.seconds.toFixed(2),
  'median s with': gated.seconds.toFixed(2),
  'extra ms / image': (((gated.seconds - plain.seconds) * 1000) / images).toFixed(0),
});

/**
 * The gate's cost per signature form (source registry requests), each image promoted to two
 * targets (verified once), and the promotion record's cost (target registry requests).
 */
export async function benchGate({ runs = 3, images = 4 } = {}) {
  const h = helpers();
  const { sig, notation, mediaTypes } = h;
  const IMAGES = images;
  const [a, b] = await Promise.all([
    h.startRegistry({ auth: 'anonymous' }),
    h.startRegistry({ auth: 'anonymous' }),
  ]);
  try {
    const key = sig.cosignKeyPair();
    const signer = await notation.selfSignedSigner('/CN=release/O=Contoso');
    const SIGN = mediaTypes.COSIGN_SIGN_PREDICATE;
    const forms = {
      'cosign .sig tag': {
        sign: (s) => sig.attachSigTag(s.memory, s.image.digest, key.privateKey),
        policy: { verifySignatures: 'cosignKey', cosignPublicKey: key.publicPem },
      },
      'Sigstore bundle referrer (key)': {
        sign: (s) =>
          sig.attachBundle(
            s.memory,
            s.image,
            sig.keyedDsseBundle(key, sig.statement(s.image.digest, SIGN)),
            SIGN,
          ),
        policy: { verifySignatures: 'cosignKey', cosignPublicKey: key.publicPem },
      },
      'Notation JWS referrer': {
        sign: (s) =>
          notation.attachNotation(s.memory, s.image, notation.notationJws(signer, s.image), signer.chainPem),
        policy: { verifySignatures: 'notation', notationCertificates: signer.chainPem.join('\n') },
      },
    };
    const rows = [];
    let n = 0;
    for (const [form, { sign, policy }] of Object.entries(forms)) {
      const repos = [];
      for (let i = 0; i < IMAGES; i++) {
        const s = await h.signableImage(a, `bench/${++n}`, '1.0');
        sign(s);
        await h.publish(a, s);
        repos.push(s.repository);
      }
      const plain = await measure(h, runs, a, b, repos, {});
      const gated = await measure(h, runs, a, b, repos, policy);
      rows.push(row(form, IMAGES, plain, gated));
    }
    // Each image promoted to two targets: the gate verifies each source digest once.
    {
      const { sign, policy } = forms['cosign .sig tag'];
      const repos = [];
      for (let i = 0; i < IMAGES; i++) {
        const s = await h.signableImage(a, `bench/${++n}`, '1.0');
        sign(s);
        await h.publish(a, s);
        repos.push(s.repository);
      }
      const twice = [...repos, ...repos];
      const targets = [...repos, ...repos.map((r) => `${r}-copy`)];
      const plain = await measure(h, runs, a, b, twice, {}, targets);
      const gated = await measure(h, runs, a, b, twice, policy, targets);
      rows.push(row('cosign .sig tag, each image to 2 targets', IMAGES, plain, gated));
    }
    // The promotion record: target registry requests without and with it (no gate).
    {
      const repos = [];
      for (let i = 0; i < IMAGES; i++) {
        const s = await h.signableImage(a, `bench/${++n}`, '1.0');
        await h.publish(a, s);
        repos.push(s.repository);
      }
      const plain = await measure(h, runs, a, b, repos, { recordPromotion: 'false' });
      const recorded = await measure(h, runs, a, b, repos, { recordPromotion: 'true' });
      rows.push(
        row('promotion record (unsigned; target requests)', IMAGES, plain, recorded, 'targetRequests'),
      );
    }
    return rows;
  } finally {
    h.disposeTaskRuns();
    await Promise.all([a.stop(), b.stop()]);
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.table(await benchGate({ images: Number(process.env.BENCH_IMAGES ?? 4) }));
}
