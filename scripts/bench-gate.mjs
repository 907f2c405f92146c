// Benchmark (not a test) of PromoteImage@1's signature gate against the local registry: the same
// cross-registry promotion of single-platform images without the gate and with it, per signature
// form (cosign `.sig` tag, keyed Sigstore bundle referrer, Notation JWS referrer; distribution 2.8
// has no referrers API, so referrers come through the `sha256-<hex>` fallback index). Reports, per
// image, the extra registry requests (from the registry's access log) and the extra wall time
// (median of RUNS). Run `npm test -- test/tasks/PromoteImage/signatureGate` (or build, package and
// tsc) first: it runs the packaged task as the agent does and uses the compiled test helpers.
//   node scripts/bench-gate.mjs
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { root } from './lib.mjs';

const require = createRequire(import.meta.url);
const out = (p) => path.join(root, 'out', 'test', p);
const { startRegistry } = require(out('emulators/registry/index.js'));
const { runTask, disposeTaskRuns } = require(out('support/taskRunner.js'));
const { signableImage, publish } = require(out('support/signedImages.js'));
const sig = require(out('common/signatures/cosignArtifacts.js'));
const notation = require(out('common/signatures/notationArtifacts.js'));
const { mediaTypes } = require(path.join(root, 'out', 'tasks', 'common', 'signatures', 'index.js'));

const IMAGES = Number(process.env.BENCH_IMAGES ?? 4);
const RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Promotes `repos` from `from` to `to`; `targets` names each line's target repository (default: the same). */
async function promoteAll(from, to, repos, policy, targets = repos) {
  const started = process.hrtime.bigint();
  const run = await runTask({
    task: { shipped: 'PromoteImageV1' },
    inputs: {
      sourceImage: repos.map((r) => `${from.host}/${r}:1.0`).join('\n'),
      targetImage: targets.map((r) => `${to.host}/${r}:1.0`).join('\n'),
      overwrite: 'always',
      copyReferrers: 'false',
      ...policy,
    },
    timeoutMs: 600_000,
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.agentResult !== 'Succeeded') throw new Error(`PromoteImage failed: ${run.message}`);
  run.dispose();
  return seconds;
}

async function measure(from, to, repos, policy, targets = repos) {
  const times = [];
  let requests = 0;
  for (let i = 0; i < RUNS; i++) {
    from.resetRequests();
    times.push(await promoteAll(from, to, repos, policy, targets));
    requests = (await from.requests()).length;
  }
  return { seconds: median(times), requests };
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gate-'));
const [a, b] = await Promise.all([
  startRegistry({ auth: 'anonymous' }),
  startRegistry({ auth: 'anonymous' }),
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
      const s = await signableImage(a, `bench/${++n}`, '1.0');
      sign(s);
      await publish(a, s);
      repos.push(s.repository);
    }
    const plain = await measure(a, b, repos, {});
    const gated = await measure(a, b, repos, policy);
    rows.push({
      form,
      images: IMAGES,
      'requests without gate': plain.requests,
      'requests with gate': gated.requests,
      'extra requests / image': ((gated.requests - plain.requests) / IMAGES).toFixed(2),
      'median s without': plain.seconds.toFixed(2),
      'median s with': gated.seconds.toFixed(2),
      'extra ms / image': (((gated.seconds - plain.seconds) * 1000) / IMAGES).toFixed(0),
    });
  }
  // Each image promoted to two targets: the gate verifies each source digest once.
  {
    const { sign, policy } = forms['cosign .sig tag'];
    const repos = [];
    for (let i = 0; i < IMAGES; i++) {
      const s = await signableImage(a, `bench/${++n}`, '1.0');
      sign(s);
      await publish(a, s);
      repos.push(s.repository);
    }
    const twice = [...repos, ...repos];
    const targets = [...repos, ...repos.map((r) => `${r}-copy`)];
    const plain = await measure(a, b, twice, {}, targets);
    const gated = await measure(a, b, twice, policy, targets);
    rows.push({
      form: 'cosign .sig tag, each image to 2 targets',
      images: IMAGES,
      'requests without gate': plain.requests,
      'requests with gate': gated.requests,
      'extra requests / image': ((gated.requests - plain.requests) / IMAGES).toFixed(2),
      'median s without': plain.seconds.toFixed(2),
      'median s with': gated.seconds.toFixed(2),
      'extra ms / image': (((gated.seconds - plain.seconds) * 1000) / IMAGES).toFixed(0),
    });
  }
  console.table(rows);
} finally {
  disposeTaskRuns();
  fs.rmSync(dir, { recursive: true, force: true });
  await Promise.all([a.stop(), b.stop()]);
}
