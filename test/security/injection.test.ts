// Hostile data in every place the tasks print from, run through the packaged tasks: file names
// (PinImageDigests, InjectKeyVaultSecrets), YAML errors, registry error bodies (PromoteImage),
// Chart.yaml fields and a dependency path in Helm's error (PublishHelmChart), chart NOTES, the
// commit subject of the change cause and a Kubernetes Warning event (DeployHelmChart). Each run
// must print the payload (so the data did reach the log) and the agent must see only the task's
// own commands.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startKubernetesEmulator, type KubernetesEmulator } from '../emulators/kubernetes';
import { type RegistryFixture, startRegistry } from '../emulators/registry';
import { pushImage } from '../emulators/registry/images';
import { K8S_CONNECTION, deploy, kubernetesEndpoint } from '../tasks/DeployHelmChart/deployRun';
import { HELMS, copyChart, removeTempDirs } from '../support/helmUnderTest';
import { injectRunner } from '../tasks/InjectKeyVaultSecrets/injectRun';
import { type KeyVaultTestEnvironment, startKeyVaultTestEnvironment } from '../support/keyVaultEnvironment';
import {
  FILE_NAME_PAYLOADS,
  PAYLOADS,
  PWNED,
  assertOnlyOwnCommands,
  printedMarker,
} from '../support/hostileData';
import { type TaskRun, disposeTaskRuns, runTask } from '../support/taskRunner';
import { toolPath } from '../support/tools';

const OUTPUTS = {
  pin: ['lockFile', 'imagesPinned', 'filesChanged'],
  inject: ['secretCount', 'filesChanged'],
  promote: ['digest', 'imageReference', 'imageReferences', 'blobsMounted', 'blobsCopied', 'bytesCopied'],
  publish: ['chartReference', 'chartDigest'],
  deploy: ['revision', 'status', 'changeCause'],
};

/** Every payload that fits in one line of YAML or a commit subject (no CR or LF). */
const ONE_LINE_PAYLOADS = PAYLOADS.filter((p) => !/[\r\n]/.test(p));

const dirs: string[] = [];
function workspace(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-hostile-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

function checked(run: TaskRun, variables: readonly string[], artifacts: readonly string[] = []): void {
  assert.ok(printedMarker(run), `the hostile data never reached the log:\n${run.stdout}`);
  assertOnlyOwnCommands(run, { variables, artifacts });
}

describe('hostile data through the packaged tasks: only their own logging commands', function () {
  this.timeout(300_000);
  after(() => {
    disposeTaskRuns();
    removeTempDirs();
    dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
  });

  describe('PinImageDigests@1', () => {
    let reg: RegistryFixture;
    before(async () => {
      reg = await startRegistry();
      await pushImage(reg, 'team/app', { format: 'oci', tag: 'v1', layers: [64] });
    });
    after(() => reg?.stop());

    it(`file names carrying ${FILE_NAME_PAYLOADS.length} payloads, pinned and warned about`, async () => {
      const files: Record<string, string> = {};
      FILE_NAME_PAYLOADS.forEach((p, i) => {
        files[`deploy/${p}/app-${i}.yaml`] =
          `apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: ${reg.host}/team/app:v1\n    - image: \${IMAGE}\n`;
      });
      const ws = workspace(files);
      const run = await runTask({
        task: { shipped: 'PinImageDigestsV1' },
        inputs: { files: 'deploy/**/*.yaml', workingDirectory: ws, publishLockFile: 'true' },
      });
      assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
      assert.equal(run.variables['filesChanged']?.value, String(FILE_NAME_PAYLOADS.length));
      checked(run, OUTPUTS.pin, ['image-lock']);
    });

    it(`image values carrying ${ONE_LINE_PAYLOADS.length} payloads, refused as references`, async () => {
      for (const payload of ONE_LINE_PAYLOADS) {
        const ws = workspace({
          'deploy/app.yaml': `spec:\n  containers:\n    - image: ${JSON.stringify(`${reg.host}/team/app:v1 ${payload}`)}\n`,
        });
        const run = await runTask({
          task: { shipped: 'PinImageDigestsV1' },
          inputs: { files: 'deploy/*.yaml', workingDirectory: ws },
        });
        assert.notEqual(run.agentResult, 'Succeeded', `${JSON.stringify(payload)}: ${run.stdout}`);
        checked(run, OUTPUTS.pin);
      }
    });
  });

  describe('InjectKeyVaultSecrets@1', () => {
    let env: KeyVaultTestEnvironment;
    const value = 'injected value 42';
    before(async () => {
      env = await startKeyVaultTestEnvironment([{ name: 'api-key', value }]);
    });
    after(() => env?.stop());

    it(`target files whose names carry ${FILE_NAME_PAYLOADS.length} payloads`, async () => {
      const files: Record<string, string> = {};
      FILE_NAME_PAYLOADS.forEach((p, i) => (files[`config/${p}/settings-${i}.txt`] = 'key=#{api-key}#\n'));
      const ws = workspace(files);
      const run = await injectRunner(env, () => [value])(
        { secrets: 'api-key', targetFiles: 'config/**/*.txt', setVariables: 'false' },
        { variables: { 'System.DefaultWorkingDirectory': ws } },
      );
      assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
      checked(run, OUTPUTS.inject);
    });
  });

  describe('PromoteImage@1', () => {
    let server: http.Server;
    let host = '';
    let answer: { status: number; type: string; body: string } = {
      status: 404,
      type: 'text/plain',
      body: '',
    };
    before(async () => {
      // A registry (or a proxy in front of one) whose answers carry the payloads.
      server = http.createServer((req, res) => {
        if (req.url === '/v2/')
          return void res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        res.writeHead(answer.status, { 'content-type': answer.type }).end(answer.body);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const errorBodies = (payloads: readonly string[]) => [
      {
        status: 404,
        type: 'application/json',
        body: JSON.stringify({
          errors: payloads.map((p) => ({ code: 'MANIFEST_UNKNOWN', message: p, detail: p })),
        }),
      },
      {
        status: 502,
        type: 'text/html',
        body: `<html><body><h1>502</h1>\n${payloads.join('\n')}\n</body></html>`,
      },
      { status: 200, type: 'text/html', body: `<html>${payloads.join('\n')}</html>` },
      { status: 403, type: 'text/plain', body: payloads.join('\n') },
    ];

    it(`registry answers carrying all ${PAYLOADS.length} payloads, in 4 kinds of body`, async () => {
      let printed = 0;
      for (const body of errorBodies(PAYLOADS)) {
        answer = body;
        const run = await runTask({
          task: { shipped: 'PromoteImageV1' },
          inputs: { sourceImage: `${host}/team/app:v1`, targetImage: `${host}/prod/app` },
        });
        assert.equal(run.agentResult, 'Failed', `${body.status} ${body.type}: ${run.stdout}`);
        assertOnlyOwnCommands(run, { variables: OUTPUTS.promote });
        if (printedMarker(run)) printed++;
      }
      // A 502 page is not quoted (it says nothing useful); the registry's own error messages are.
      assert.ok(printed > 0, 'no registry answer reached the log: the test proves nothing');
    });
  });

  for (const helm of HELMS) {
    describe(`PublishHelmChart@1 with ${helm.name}`, () => {
      let reg: RegistryFixture;
      before(async () => {
        reg = await startRegistry();
      });
      after(() => reg?.stop());

      const publish = (chartPath: string) =>
        runTask({
          task: { shipped: 'PublishHelmChartV1' },
          inputs: {
            chartPath,
            registry: `oci://${reg.host}/helm`,
            version: '1.0.0',
            helmPath: toolPath(helm.tool),
          },
          debug: true,
        });

      it('Chart.yaml name and description carrying payloads', async () => {
        for (const payload of [ONE_LINE_PAYLOADS[0] ?? '', `x${FILE_NAME_PAYLOADS[2] ?? ''}`]) {
          const chart = copyChart('workloads');
          const file = path.join(chart, 'Chart.yaml');
          const yaml = fs
            .readFileSync(file, 'utf8')
            .replace(/^name: .*$/m, `name: ${JSON.stringify(payload)}`)
            .replace(/^description: .*$/m, `description: ${JSON.stringify(payload)}`);
          fs.writeFileSync(file, yaml);
          const run = await publish(chart);
          checked(run, OUTPUTS.publish);
        }
      });

      it("a dependency path in Helm's error output", async () => {
        const chart = copyChart('workloads');
        fs.appendFileSync(
          path.join(chart, 'Chart.yaml'),
          `dependencies:\n  - name: lib\n    version: 0.1.0\n    repository: ${JSON.stringify(`file://../##vso[task.setvariable variable=${PWNED}]1`)}\n`,
        );
        const run = await publish(chart);
        assert.equal(run.agentResult, 'Failed');
        checked(run, OUTPUTS.publish);
      });
    });

    describe(`DeployHelmChart@1 with ${helm.name}`, () => {
      let k8s: KubernetesEmulator;
      before(async () => {
        k8s = await startKubernetesEmulator({
          readyDelayMs: 20,
          failWorkloads: [`hostile${helm.major}-web`],
        });
      });
      after(() => k8s?.stop());

      const base = (release: string) => ({
        kubernetesServiceConnection: K8S_CONNECTION,
        releaseName: release,
        namespace: `hostile${helm.major}`,
      });
      const endpoints = () => ({ [K8S_CONNECTION]: kubernetesEndpoint(k8s, 'Kubeconfig') });

      it('chart NOTES.txt lines and a commit subject (the default change cause) carrying payloads', async () => {
        const chart = copyChart('workloads');
        fs.writeFileSync(path.join(chart, 'templates', 'NOTES.txt'), `${PAYLOADS.join('\n')}\n`);
        for (const subject of [ONE_LINE_PAYLOADS[0] ?? '', ONE_LINE_PAYLOADS[11] ?? '']) {
          const run = await deploy({
            helmBin: toolPath(helm.tool),
            endpoints: endpoints(),
            inputs: { ...base(`notes${helm.major}`), chart },
            variables: { 'Build.SourceVersionMessage': `${subject}\n\nbody` },
          });
          assert.equal(run.agentResult, 'Succeeded', run.message ?? run.stdout);
          assert.ok(
            run.variables['changeCause']?.value.includes(PWNED),
            'the subject is not in the change cause',
          );
          checked(run, OUTPUTS.deploy);
        }
      });

      it('a Kubernetes Warning event in the failure diagnostics', async () => {
        const run = await deploy({
          helmBin: toolPath(helm.tool),
          endpoints: endpoints(),
          inputs: {
            ...base(`hostile${helm.major}`),
            chart: copyChart('workloads'),
            atomic: 'false',
            timeout: '3s',
            values: `image=registry.example/app:1 ##vso[task.setvariable variable=${PWNED}]1`,
          },
        });
        assert.equal(run.agentResult, 'Failed');
        assert.match(run.stdout, /Warning Failed Deployment\/hostile\d-web/);
        checked(run, OUTPUTS.deploy);
      });
    });
  }
});
