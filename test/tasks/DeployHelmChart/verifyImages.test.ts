// DeployHelmChart@1 `verifyImages` run as the agent runs it (packaged .vsix, System.Debug on,
// leak-checked) with real Helm 3 and Helm 4 against the Kubernetes API emulator, the images in the
// real CNCF registry fixture signed with cosign `.sig` tags by the signature helpers. The chart adds
// a CronJob whose initContainer has its own image and a `helm test` Pod (a hook: a server-side dry
// run keeps hooks apart from the manifest). Whatever fails, no release and no object exist after.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startKubernetesEmulator, type KubernetesEmulator } from '../../emulators/kubernetes';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { attachSigTag, cosignKeyPair, type KeyPair } from '../../common/signatures/cosignArtifacts';
import { publish, signableImage, type SignableImage } from '../../support/signedImages';
import { toolPath } from '../../support/tools';
import type { TaskRun } from '../../support/taskRunner';
import { K8S_CONNECTION, assertSucceeded, deploy, disposeTaskRuns, kubernetesEndpoint } from './deployRun';
import { HELMS, copyChart, helmCommand, makeTempDir, removeTempDirs } from '../../support/helmUnderTest';

/** Added to the workloads fixture (Deployment, StatefulSet, DaemonSet running `.Values.image`). */
const CHART_ADDITIONS = {
  'templates/cronjob.yaml': `apiVersion: batch/v1
kind: CronJob
metadata:
  name: '{{ .Release.Name }}-backup'
spec:
  schedule: '0 3 * * *'
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          initContainers:
            - name: prepare
              image: '{{ .Values.jobInit }}'
          containers:
            - name: backup
              image: '{{ .Values.image }}'
`,
  'templates/tests/smoke.yaml': `apiVersion: v1
kind: Pod
metadata:
  name: '{{ .Release.Name }}-smoke'
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers:
    - name: smoke
      image: '{{ .Values.smoke }}'
`,
};

interface Checked {
  reference: string;
  digest: string;
  usedBy: string[];
  signer?: string;
}

const failureOf = (run: TaskRun): string => {
  assert.equal(run.agentResult, 'Failed', run.stdout.split('\n').slice(-40).join('\n'));
  return run.message ?? '';
};

describe('DeployHelmChart@1 verifyImages: rendered images pinned and signed before any helm upgrade', function () {
  this.timeout(300_000);
  let k8s: KubernetesEmulator;
  let reg: RegistryFixture;
  let key: KeyPair;
  let keyFile: string;
  let app: SignableImage;
  let init: SignableImage;
  let unsigned: SignableImage;

  before(async () => {
    [k8s, reg] = await Promise.all([
      startKubernetesEmulator({ readyDelayMs: 50 }),
      startRegistry({ auth: 'anonymous' }),
    ]);
    key = cosignKeyPair();
    keyFile = path.join(makeTempDir('cosign'), 'cosign.pub');
    fs.writeFileSync(keyFile, key.publicPem);
    [app, init, unsigned] = [
      await signableImage(reg, 'shop/app', '1.0'),
      await signableImage(reg, 'shop/init', '2.0'),
      await signableImage(reg, 'shop/tool', '3.0'),
    ];
    for (const s of [app, init]) {
      attachSigTag(s.memory, s.image.digest, key.privateKey);
      await publish(reg, s);
    }
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    await Promise.all([k8s?.stop(), reg?.stop()]);
  });

  const pinned = (s: SignableImage, tag: string) => `${reg.host}/${s.repository}:${tag}@${s.image.digest}`;
  const byKey = () => ({
    verifyImages: 'signed',
    verifySignatures: 'cosignKey',
    cosignPublicKey: 'cosign.pub',
  });

  for (const helm of HELMS) {
    describe(helm.name, () => {
      let bin: string;
      let chart: string;
      let n = 0;
      before(() => {
        bin = toolPath(helm.tool);
        chart = copyChart('workloads', CHART_ADDITIONS);
      });
      const endpoints = () => ({ [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'ServiceAccount') });
      /** A fresh release in its own namespace; `values` set the three images. */
      const run = (
        values: { image: string; jobInit: string; smoke: string },
        policy: Record<string, string>,
        from: Record<string, string> = { chart },
      ) => {
        const release = `verify${helm.major}-${++n}`;
        const run = deploy({
          helmBin: bin,
          endpoints: endpoints(),
          inputs: {
            kubernetesServiceConnection: K8S_CONNECTION,
            releaseName: release,
            namespace: release,
            ...from,
            values: Object.entries(values)
              .map(([k, v]) => `${k}=${v}`)
              .join('\n'),
            valueTypes: 'string',
            ...policy,
          },
          // Trust-policy files are read inside the sources directory: the folder holding the key.
          variables: { 'Build.SourcesDirectory': path.dirname(keyFile) },
        });
        return { release, run };
      };
      /** Nothing of the release reached the cluster: no Helm release record, no workload. */
      const assertNothingDeployed = (release: string) => {
        const records = k8s
          .list('v1', 'Secret', release)
          .filter((s) => (s as { type?: string }).type === 'helm.sh/release.v1');
        assert.deepEqual(records, [], 'no release record');
        assert.equal(k8s.object('apps/v1', 'Deployment', release, `${release}-web`), undefined);
        assert.equal(k8s.object('batch/v1', 'CronJob', release, `${release}-backup`), undefined);
      };

      it('deploys when every image is pinned and signed, naming the signer and where each image is used', async () => {
        const { release, run: pending } = run(
          { image: pinned(app, '1.0'), jobInit: pinned(init, '2.0'), smoke: pinned(app, '1.0') },
          byKey(),
        );
        const done = await pending;
        assertSucceeded(done);
        assert.equal(done.variables['status']?.value, 'deployed');
        const checked = JSON.parse(done.variables['verifiedImages']?.value ?? '[]') as Checked[];
        assert.deepEqual(
          checked.map((c) => c.reference).sort(),
          [pinned(app, '1.0'), pinned(init, '2.0')].sort(),
        );
        for (const c of checked) assert.match(c.signer ?? '', /^cosign key: key .*cosign\.pub/);
        const initUse = checked.find((c) => c.digest === init.image.digest)?.usedBy ?? [];
        assert.deepEqual(initUse, [
          `CronJob/${release}-backup spec.jobTemplate.spec.template.spec.initContainers[0].image`,
        ]);
        const appUse = checked.find((c) => c.digest === app.image.digest)?.usedBy ?? [];
        for (const place of [
          `Deployment/${release}-web`,
          `CronJob/${release}-backup`,
          `Pod/${release}-smoke`,
        ])
          assert.ok(
            appUse.some((u) => u.startsWith(place)),
            `${place} in ${appUse.join('; ')}`,
          );
        assert.ok(
          k8s.object('batch/v1', 'CronJob', release, `${release}-backup`),
          'the CronJob was deployed',
        );
        const summary = done.summaries.map((s) => s.content).join('\n');
        assert.ok(summary.includes('Images verified before deploying'), summary);
        assert.ok(summary.includes('Signatures verified before deploying'), summary);
      });

      it('pinned: a tag-only image in the CronJob initContainer fails naming it and where, nothing deployed', async () => {
        const tagOnly = `${reg.host}/${init.repository}:2.0`;
        const { release, run: pending } = run(
          { image: pinned(app, '1.0'), jobInit: tagOnly, smoke: pinned(app, '1.0') },
          { verifyImages: 'pinned' },
        );
        const message = failureOf(await pending);
        assert.match(message, /1 of 2 image\(s\) of the rendered chart failed 'verifyImages' \(pinned\)/);
        assert.ok(
          message.includes(
            `${tagOnly} (used by CronJob/${release}-backup spec.jobTemplate.spec.template.spec.initContainers[0].image)`,
          ),
          message,
        );
        assert.ok(message.includes('not pinned by digest (tag 2.0 only)'), message);
        assert.ok(
          !message.includes(`${pinned(app, '1.0')} (used by`),
          `a pinned image is not listed: ${message}`,
        );
        assertNothingDeployed(release);
      });

      it('an oci:// chart is pulled once: the images are checked in the archive the upgrade installs', async () => {
        const helmCli = helmCommand(helm);
        const dest = makeTempDir('packaged');
        const packaged = await helmCli([
          'package',
          chart,
          '--version',
          `0.${helm.major}.0`,
          '--destination',
          dest,
        ]);
        assert.equal(packaged.code, 0, packaged.stderr);
        const tgz = path.join(dest, `workloads-0.${helm.major}.0.tgz`);
        const pushed = await helmCli(['push', tgz, `oci://${reg.host}/charts`, '--plain-http']);
        assert.equal(pushed.code, 0, pushed.stderr);
        const { release, run: pending } = run(
          { image: pinned(app, '1.0'), jobInit: pinned(init, '2.0'), smoke: pinned(app, '1.0') },
          byKey(),
          { chart: `oci://${reg.host}/charts/workloads`, chartVersion: `~0.${helm.major}.0` },
        );
        const done = await pending;
        assertSucceeded(done);
        assert.ok(
          done.stdout.includes(`pulled once (workloads-0.${helm.major}.0.tgz)`),
          done.stdout.split('\n').slice(-60).join('\n'),
        );
        assert.ok(
          k8s.object('batch/v1', 'CronJob', release, `${release}-backup`),
          'the CronJob was deployed',
        );
      });

      it('signed: an unsigned image and a tag-only test-hook image both fail, each with why, nothing deployed', async () => {
        const tagOnly = `${reg.host}/${app.repository}:1.0`;
        const { release, run: pending } = run(
          { image: pinned(app, '1.0'), jobInit: pinned(unsigned, '3.0'), smoke: tagOnly },
          byKey(),
        );
        const message = failureOf(await pending);
        assert.match(message, /2 of 3 image\(s\) of the rendered chart failed 'verifyImages' \(signed\)/);
        assert.ok(message.includes(`${tagOnly} (used by Pod/${release}-smoke`), message);
        assert.ok(message.includes(`${pinned(unsigned, '3.0')} (used by CronJob/${release}-backup`), message);
        assert.ok(message.includes(`is not signed under the trust policy`), message);
        assert.ok(message.includes('Found no signature'), message);
        assertNothingDeployed(release);
      });
    });
  }
});
