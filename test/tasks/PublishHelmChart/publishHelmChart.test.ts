// PublishHelmChart@1 run as the agent runs it (from the packaged .vsix), with real Helm 3 and Helm 4
// against real registries (distribution 2.8) with basic and token auth. The runner fails any run
// that prints a secret it was given (registry passwords), System.Debug on.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startRegistry, type RegistryFixture, type RegistryUser } from '../../emulators/registry';
import { getManifest } from '../../emulators/registry/images';
import { disposeTaskRuns, runTask, type EndpointSpec, type TaskRun } from '../../support/taskRunner';
import { toolPath } from '../../support/tools';
import { HELMS, copyChart, helmCommand, makeTempDir, removeTempDirs } from '../../support/helmUnderTest';

const CONNECTION = '6f0e5d4c-3b2a-4190-8f7e-6d5c4b3a2f10';

describe('PublishHelmChart@1 task: real Helm against real registries', function () {
  this.timeout(180_000);
  const pusher: RegistryUser = {
    username: 'chart-pusher',
    password: 'pusher-Secret,with spaces=1',
    access: { 'charts/*': ['pull', 'push'] },
  };
  let basic: RegistryFixture;
  let token: RegistryFixture;

  before(async () => {
    [basic, token] = await Promise.all([
      startRegistry({ auth: 'basic', users: [pusher] }),
      startRegistry({ auth: 'token', users: [pusher] }),
    ]);
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    await Promise.all([basic?.stop(), token?.stop()]);
  });

  const endpoint = (reg: RegistryFixture, password = pusher.password): EndpointSpec => ({
    url: `http://${reg.host}`,
    scheme: 'UsernamePassword',
    parameters: { registry: `http://${reg.host}`, username: pusher.username, password },
    data: { registrytype: 'Others' },
  });

  interface PublishRun {
    reg: RegistryFixture;
    helmBin: string;
    chartPath: string;
    path: string;
    inputs?: Record<string, string>;
    variables?: Record<string, string>;
    password?: string;
  }

  function publish(run: PublishRun): Promise<TaskRun> {
    return runTask({
      task: { shipped: 'PublishHelmChartV1' },
      inputs: {
        chartPath: run.chartPath,
        registry: `oci://${run.reg.host}/${run.path}`,
        registryConnection: CONNECTION,
        helmPath: run.helmBin,
        ...run.inputs,
      },
      endpoints: { [CONNECTION]: endpoint(run.reg, run.password) },
      variables: run.variables ?? {},
      debug: true,
    });
  }

  const succeeded = (run: TaskRun) =>
    assert.equal(run.agentResult, 'Succeeded', `${run.message}\n${run.stdout}`);

  for (const helm of HELMS) {
    describe(helm.name, () => {
      const repoPath = `charts/h${helm.major}`;
      let bin: string;
      before(() => {
        bin = toolPath(helm.tool);
      });

      it('publishes the version of the release branch with the registry connection; the chart pulls back', async () => {
        const run = await publish({
          reg: basic,
          helmBin: bin,
          chartPath: copyChart('workloads'),
          path: repoPath,
          variables: { 'Build.SourceBranch': 'refs/heads/release/workloads/v1.0.2' },
        });
        succeeded(run);
        const reference = `oci://${basic.host}/${repoPath}/workloads:1.0.2`;
        assert.equal(run.variables['chartReference']?.value, reference);
        const stored = await getManifest(basic, `${repoPath}/workloads`, '1.0.2');
        assert.ok(stored, 'the chart is not in the registry');
        assert.equal(run.variables['chartDigest']?.value, stored.digest);
        assert.match(run.stdout, new RegExp(`Helm v${helm.major}\\.\\d+\\.\\d+`));
        const login = run.debug.find((l) => l.startsWith('helm registry login'));
        assert.ok(login?.includes('--password-stdin'), `login not through stdin: ${login}`);
        assert.ok(
          run.summaries.some((s) => s.content.includes(reference) && s.content.includes(stored.digest)),
        );

        const check = helmCommand(helm);
        const loggedIn = await check(
          [
            'registry',
            'login',
            basic.host,
            '--username',
            pusher.username,
            '--password-stdin',
            helm.major === 3 ? '--insecure' : '--plain-http',
          ],
          pusher.password,
        );
        assert.equal(loggedIn.code, 0, loggedIn.stderr);
        const shown = await check([
          'show',
          'chart',
          `oci://${basic.host}/${repoPath}/workloads`,
          '--version',
          '1.0.2',
          '--plain-http',
        ]);
        assert.equal(shown.code, 0, shown.stderr);
        assert.match(shown.stdout, /^version: 1\.0\.2$/m);
        assert.match(shown.stdout, /^appVersion: 1\.0\.2$/m);
      });

      it('signs in to a token-auth registry and takes a SemVer build number', async () => {
        const before = token.tokenServer?.requests().length ?? 0;
        const run = await publish({
          reg: token,
          helmBin: bin,
          chartPath: copyChart('workloads'),
          path: repoPath,
          inputs: { appVersion: '2024.5' },
          variables: { 'Build.SourceBranch': 'refs/heads/main', 'Build.BuildNumber': '2.3.4-ci.7' },
        });
        succeeded(run);
        assert.equal(
          run.variables['chartReference']?.value,
          `oci://${token.host}/${repoPath}/workloads:2.3.4-ci.7`,
        );
        const grants = (token.tokenServer?.requests() ?? [])
          .slice(before)
          .filter((r) => r.user === pusher.username);
        assert.ok(
          grants.some((g) =>
            g.granted.some((a) => a.name === `${repoPath}/workloads` && a.actions.includes('push')),
          ),
          'no token with push on the chart repository was issued to the connection user',
        );
        const stored = await getManifest(token, `${repoPath}/workloads`, '2.3.4-ci.7');
        assert.equal(run.variables['chartDigest']?.value, stored?.digest);
      });

      it('is a no-op for the same content, refuses other content under the same version, overwrites when told', async () => {
        const version = { version: '3.0.0' };
        const first = await publish({
          reg: basic,
          helmBin: bin,
          chartPath: copyChart('workloads'),
          path: repoPath,
          inputs: version,
        });
        succeeded(first);
        const digest = first.variables['chartDigest']?.value;

        basic.resetRequests();
        const again = await publish({
          reg: basic,
          helmBin: bin,
          chartPath: copyChart('workloads'),
          path: repoPath,
          inputs: version,
        });
        succeeded(again);
        assert.equal(again.variables['chartDigest']?.value, digest);
        assert.match(again.stdout, /already holds this chart/);
        const writes = (await basic.requests()).filter((r) => r.method === 'PUT' || r.method === 'POST');
        assert.deepEqual(writes, [], 'the same content was pushed again');

        const changed = copyChart('workloads', {
          'values.yaml': 'image: registry.example/web:2.0.0\ngreeting: changed\n',
        });
        const refused = await publish({
          reg: basic,
          helmBin: bin,
          chartPath: changed,
          path: repoPath,
          inputs: version,
        });
        assert.equal(refused.agentResult, 'Failed');
        assert.match(refused.message ?? '', /already exists with different content/);
        assert.deepEqual(
          refused.summaries.map((s) => s.title),
          ['Publish Helm chart (failed)'],
        );
        assert.match(refused.summaries[0]?.content ?? '', /already exists with different content/);
        assert.equal((await getManifest(basic, `${repoPath}/workloads`, '3.0.0'))?.digest, digest);

        const forced = await publish({
          reg: basic,
          helmBin: bin,
          chartPath: changed,
          path: repoPath,
          inputs: { ...version, overwrite: 'true' },
        });
        succeeded(forced);
        const replaced = await getManifest(basic, `${repoPath}/workloads`, '3.0.0');
        assert.notEqual(replaced?.digest, digest);
        assert.equal(forced.variables['chartDigest']?.value, replaced?.digest);
      });
    });
  }

  it('fails with a clear message when neither input, branch nor build number gives a version', async () => {
    const run = await publish({
      reg: basic,
      helmBin: toolPath('HELM4_BIN'),
      chartPath: copyChart('workloads'),
      path: 'charts/none',
      variables: { 'Build.SourceBranch': 'refs/heads/main', 'Build.BuildNumber': '20260101.1' },
    });
    assert.equal(run.agentResult, 'Failed');
    assert.match(run.message ?? '', /No chart version/);
    assert.match(run.message ?? '', /release\/<service>\/v1\.0\.2/);
  });

  it('fails naming the registry when the password is wrong, without printing it', async () => {
    const run = await publish({
      reg: basic,
      helmBin: toolPath('HELM3_BIN'),
      chartPath: copyChart('workloads'),
      path: 'charts/denied',
      inputs: { version: '1.0.0' },
      password: 'not-the-Password-42',
    });
    assert.equal(run.agentResult, 'Failed');
    assert.match(run.message ?? '', /registry login/);
    assert.ok((run.message ?? '').includes(basic.host));
    assert.equal(await getManifest(basic, 'charts/denied/workloads', '1.0.0'), undefined);
  });

  it('refuses a folder without Chart.yaml', async () => {
    const empty = makeTempDir('not-a-chart');
    fs.writeFileSync(path.join(empty, 'values.yaml'), 'a: 1\n');
    const run = await publish({
      reg: basic,
      helmBin: toolPath('HELM4_BIN'),
      chartPath: empty,
      path: 'charts/none',
      inputs: { version: '1.0.0' },
    });
    assert.equal(run.agentResult, 'Failed');
    assert.match(run.message ?? '', /no Chart\.yaml/);
  });
});
