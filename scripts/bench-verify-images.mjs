// Benchmark (not a test) of DeployHelmChart@1 `verifyImages` against the Kubernetes API emulator
// and the local registry: a chart of N Deployments, each running its own image (pinned by digest,
// signed with a cosign `.sig` tag), installed with verifyImages none, pinned and signed. Reports
// the median wall time of RUNS installs (fresh release each) and the registry requests the check
// made (from the registry's access log). Helm 4, no --wait. Run
// `npm test -- test/tasks/DeployHelmChart/verifyImages` first: it builds, packages and compiles
// the test helpers this script uses.
//   node scripts/bench-verify-images.mjs [N...]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { root } from './lib.mjs';

const require = createRequire(import.meta.url);
const out = (p) => path.join(root, 'out', 'test', p);
const { startRegistry } = require(out('emulators/registry/index.js'));
const { startKubernetesEmulator } = require(out('emulators/kubernetes/index.js'));
const { runTask, disposeTaskRuns } = require(out('support/taskRunner.js'));
const { signableImage, publish } = require(out('support/signedImages.js'));
const { toolPath } = require(out('support/tools.js'));
const { kubernetesEndpoint, K8S_CONNECTION } = require(out('tasks/DeployHelmChart/deployRun.js'));
const sig = require(out('common/signatures/cosignArtifacts.js'));

const SIZES = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A chart of `n` Deployments; Deployment i runs `.Values.images[i]`. */
function chartOf(dir, n) {
  fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'Chart.yaml'), `apiVersion: v2\nname: many\nversion: 0.1.0\n`);
  fs.writeFileSync(
    path.join(dir, 'templates', 'deployments.yaml'),
    `{{- range $i, $image := .Values.images }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: 'app{{ $i }}'
spec:
  selector: { matchLabels: { app: 'app{{ $i }}' } }
  template:
    metadata: { labels: { app: 'app{{ $i }}' } }
    spec:
      containers:
        - name: app
          image: '{{ $image }}'
{{- end }}
`,
  );
  return dir;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-verify-images-'));
const [reg, k8s] = await Promise.all([
  startRegistry({ auth: 'anonymous' }),
  startKubernetesEmulator({ readyDelayMs: 0 }),
]);
let release = 0;
try {
  const key = sig.cosignKeyPair();
  const keyFile = path.join(dir, 'cosign.pub');
  fs.writeFileSync(keyFile, key.publicPem);
  const rows = [];
  for (const n of SIZES.length ? SIZES : [1, 10, 30]) {
    const images = [];
    for (let i = 0; i < n; i++) {
      const s = await signableImage(reg, `bench${n}/app${i}`, '1.0');
      sig.attachSigTag(s.memory, s.image.digest, key.privateKey);
      await publish(reg, s);
      images.push(`${reg.host}/${s.repository}:1.0@${s.image.digest}`);
    }
    const chart = chartOf(path.join(dir, `chart${n}`), n);
    const valuesFile = path.join(dir, `values${n}.yaml`);
    fs.writeFileSync(valuesFile, `images:\n${images.map((i) => `  - '${i}'`).join('\n')}\n`);
    const install = async (policy) => {
      const name = `bench${++release}`;
      reg.resetRequests();
      const started = process.hrtime.bigint();
      const run = await runTask({
        task: { shipped: 'DeployHelmChartV1' },
        inputs: {
          helmPath: toolPath('HELM4_BIN'),
          kubernetesServiceConnection: K8S_CONNECTION,
          releaseName: name,
          namespace: name,
          chart,
          valueFiles: valuesFile,
          wait: 'false',
          ...policy,
        },
        endpoints: { [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'ServiceAccount') },
        // The key file is read inside the sources directory (trust-policy files stay in the workspace).
        variables: { 'Build.SourcesDirectory': dir },
        timeoutMs: 600_000,
      });
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      if (run.agentResult !== 'Succeeded') throw new Error(`DeployHelmChart failed: ${run.message}`);
      run.dispose();
      return { seconds, requests: (await reg.requests()).length };
    };
    const measure = async (policy) => {
      const results = [];
      for (let i = 0; i < RUNS; i++) results.push(await install(policy));
      return { seconds: median(results.map((r) => r.seconds)), requests: results[0].requests };
    };
    const none = await measure({});
    const pinned = await measure({ verifyImages: 'pinned' });
    const signed = await measure({
      verifyImages: 'signed',
      verifySignatures: 'cosignKey',
      cosignPublicKey: keyFile,
    });
    rows.push({
      images: n,
      'median s none': none.seconds.toFixed(2),
      'median s pinned': pinned.seconds.toFixed(2),
      'median s signed': signed.seconds.toFixed(2),
      'render ms (pinned - none)': ((pinned.seconds - none.seconds) * 1000).toFixed(0),
      'gate ms / image': (((signed.seconds - pinned.seconds) * 1000) / n).toFixed(0),
      'registry requests (signed)': signed.requests,
      'requests / image': (signed.requests / n).toFixed(2),
    });
  }
  console.table(rows);
} finally {
  disposeTaskRuns();
  fs.rmSync(dir, { recursive: true, force: true });
  await Promise.all([reg.stop(), k8s.stop()]);
}
