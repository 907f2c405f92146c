// PromoteImage, PinImageDigests and PublishHelmChart run as the agent runs them against real
// registries (distribution 2.8) serving HTTPS with their own `http.tls`. A loopback host is
// insecure by Docker's rule (certificates not checked), so the registries are named
// `registry.release-guard.test`, a name the product treats like any remote registry: it checks the
// certificate. The agent's proxy (Agent.ProxyUrl), which resolves that name to 127.0.0.1 as a
// corporate proxy resolves names its clients cannot, carries the TLS end to end (CONNECT).
// One registry's certificate comes from the test CA, handed to the task as the agent's CA
// (Agent.CAInfo) or through NODE_EXTRA_CA_CERTS; the other's from a CA nothing trusts.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startForwardProxy, type ForwardProxy } from '../emulators/forwardProxy';
import { serverCertificate, testCa, untrustedServerCertificate } from '../emulators/testCertificates';
import { startRegistry, type RegistryFixture, type RegistryUser } from '../emulators/registry';
import { getManifest, pushImage } from '../emulators/registry/images';
import { HELMS, copyChart, removeTempDirs } from '../support/helmUnderTest';
import { snapshot } from '../support/pinningFixtures';
import {
  ALL_FILES,
  createWorkspace,
  expectedText,
  pushFixtureImages,
} from '../tasks/PinImageDigests/pinWorkspace';
import { failureOf, succeeded } from '../tasks/PromoteImage/promoteRun';
import { disposeTaskRuns, runTask, type EndpointSpec, type TaskRun } from '../support/taskRunner';
import { toolPath } from '../support/tools';

const NAME = 'registry.release-guard.test';
const CONNECTION = '0b7e4f61-5c2d-4a8e-9f13-2d6c8a4b1e07';

describe('HTTPS registries in task runs: the agent CA, untrusted certificates, insecureRegistries', function () {
  this.timeout(180_000);
  const user: RegistryUser = { username: 'release', password: `pw-${randomUUID()}`, access: {} };
  let trusted: RegistryFixture;
  let untrusted: RegistryFixture;
  let proxy: ForwardProxy;
  let dir: string;
  let caFile: string;
  const workspaces: string[] = [];

  before(async () => {
    const [good, bad] = await Promise.all([serverCertificate([NAME]), untrustedServerCertificate([NAME])]);
    [trusted, untrusted] = await Promise.all([
      startRegistry({ auth: 'basic', users: [user], tls: good }),
      startRegistry({ auth: 'basic', users: [user], tls: bad }),
    ]);
    proxy = await startForwardProxy({ hosts: { [NAME]: '127.0.0.1' } });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'https-task-runs-'));
    caFile = path.join(dir, 'agent-ca.pem');
    fs.writeFileSync(caFile, (await testCa()).certPem);
  });
  after(async () => {
    disposeTaskRuns();
    removeTempDirs();
    workspaces.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    await Promise.all([trusted?.stop(), untrusted?.stop(), proxy?.stop()]);
  });

  /** `registry.release-guard.test:<port>`: the registry as the task is told about it. */
  const named = (reg: RegistryFixture) => `${NAME}:${reg.host.split(':')[1]}`;

  const connection = (reg: RegistryFixture): EndpointSpec => ({
    url: `https://${named(reg)}`,
    scheme: 'UsernamePassword',
    parameters: { registry: `https://${named(reg)}`, username: user.username, password: user.password },
    data: { registrytype: 'Others' },
  });

  /** The agent's settings: its proxy always, its CA when `ca` (Agent.CAInfo, or NODE_EXTRA_CA_CERTS). */
  function agent(ca: 'agent' | 'node' | 'none'): {
    variables: Record<string, string>;
    env: Record<string, string>;
  } {
    return {
      variables: { 'Agent.ProxyUrl': proxy.url, ...(ca === 'agent' ? { 'Agent.CAInfo': caFile } : {}) },
      env: ca === 'node' ? { NODE_EXTRA_CA_CERTS: caFile } : {},
    };
  }

  /** The failure names the registry and the three settings that would let it through. */
  function assertCertificateRefusal(run: TaskRun, reg: RegistryFixture, settings: RegExp[]) {
    const message = failureOf(run);
    assert.ok(message.includes(named(reg)), `registry not named: ${message}`);
    assert.match(message, /certificate/i);
    for (const setting of settings) assert.match(message, setting);
  }

  const EVERY_SETTING = [/Agent\.CAInfo/, /NODE_EXTRA_CA_CERTS/, /insecureRegistries/];

  describe('PromoteImage@1', () => {
    function promote(reg: RegistryFixture, repository: string, ca: 'agent' | 'node' | 'none', more = {}) {
      const { variables, env } = agent(ca);
      return runTask({
        task: { shipped: 'PromoteImageV1' },
        inputs: {
          sourceImage: `${named(reg)}/${repository}:v1`,
          targetImage: `${named(reg)}/prod/${repository}`,
          targetConnection: CONNECTION,
          ...more,
        },
        endpoints: { [CONNECTION]: connection(reg) },
        variables,
        env,
        debug: true,
        timeoutMs: 120_000,
      });
    }

    it('promotes over HTTPS checked against the agent CA (Agent.CAInfo), through the agent proxy', async () => {
      const image = await pushImage(trusted, 'team/api', { format: 'oci', tag: 'v1', layers: [512] });
      trusted.resetRequests();
      const run = succeeded(await promote(trusted, 'team/api', 'agent'));
      assert.equal(run.variables['digest']?.value, image.digest);
      assert.equal((await getManifest(trusted, 'prod/team/api', 'v1'))?.digest, image.digest);
      assert.ok(
        proxy.tunnelledTargets().includes(named(trusted)),
        'the registry was not reached by its name',
      );
      const pushed = (await trusted.requests()).filter((r) => r.method === 'PUT' && r.status === 201);
      assert.ok(pushed.length > 0, 'nothing was written over HTTPS');
    });

    it('trusts a CA given through NODE_EXTRA_CA_CERTS alone', async () => {
      const image = await pushImage(trusted, 'team/node-ca', { format: 'oci', tag: 'v1', layers: [512] });
      const run = succeeded(await promote(trusted, 'team/node-ca', 'node'));
      assert.equal(run.variables['digest']?.value, image.digest);
    });

    it('refuses the same registry when no CA is given, naming the registry and what to configure', async () => {
      await pushImage(trusted, 'team/no-ca', { format: 'oci', tag: 'v1', layers: [512] });
      trusted.resetRequests();
      const run = await promote(trusted, 'team/no-ca', 'none');
      assertCertificateRefusal(run, trusted, EVERY_SETTING);
      // No silent plain-HTTP attempt: the registry saw no request at all (the handshake failed).
      assert.deepEqual(await trusted.requests(), []);
      assert.equal(await getManifest(trusted, 'prod/team/no-ca', 'v1'), undefined);
    });

    it('refuses a certificate from a CA the agent does not trust, even with an agent CA set', async () => {
      await pushImage(untrusted, 'team/bad', { format: 'oci', tag: 'v1', layers: [512] });
      untrusted.resetRequests();
      const run = await promote(untrusted, 'team/bad', 'agent');
      assertCertificateRefusal(run, untrusted, EVERY_SETTING);
      assert.deepEqual(await untrusted.requests(), []);
    });

    it('insecureRegistries: skips the certificate check for the listed registry, still over HTTPS', async () => {
      const image = await pushImage(untrusted, 'team/listed', { format: 'oci', tag: 'v1', layers: [512] });
      untrusted.resetRequests();
      const run = succeeded(
        await promote(untrusted, 'team/listed', 'none', { insecureRegistries: named(untrusted) }),
      );
      assert.equal(run.variables['digest']?.value, image.digest);
      // The registry speaks only TLS: every request it logged came over HTTPS, none failed as plain HTTP.
      const seen = await untrusted.requests();
      assert.ok(seen.length > 0);
      assert.deepEqual(
        seen.filter((r) => r.status === 400),
        [],
      );
      assert.equal((await getManifest(untrusted, 'prod/team/listed', 'v1'))?.digest, image.digest);
    });
  });

  describe('PinImageDigests@1', () => {
    function pin(workspace: string, ca: 'agent' | 'none', more: Record<string, string> = {}) {
      const { variables, env } = agent(ca);
      return runTask({
        task: { shipped: 'PinImageDigestsV1' },
        inputs: { files: ALL_FILES, workingDirectory: workspace, containerRegistry: CONNECTION, ...more },
        endpoints: { [CONNECTION]: connection(trusted) },
        variables: { ...variables, 'Build.ArtifactStagingDirectory': path.join(workspace, 'out') },
        env,
        debug: true,
      });
    }
    let digests: Map<string, string>;
    before(async () => {
      const images = await pushFixtureImages(trusted);
      digests = new Map([...images].map(([name, image]) => [name, image.digest]));
    });
    const workspace = () => {
      const ws = createWorkspace(named(trusted));
      workspaces.push(ws);
      return ws;
    };

    it('pins every file over HTTPS checked against the agent CA', async () => {
      const ws = workspace();
      succeeded(await pin(ws, 'agent'));
      const compose = expectedText('docker-compose.yml', named(trusted), (n) => digests.get(n) ?? '');
      assert.equal(fs.readFileSync(path.join(ws, 'docker-compose.yml'), 'utf8'), compose);
    });

    it('refuses the registry when no CA is given and changes no file', async () => {
      const ws = workspace();
      const before = snapshot(ws);
      const run = await pin(ws, 'none');
      assertCertificateRefusal(run, trusted, EVERY_SETTING);
      assert.match(failureOf(run), /No file was changed/);
      assert.deepEqual(snapshot(ws), before);
    });

    it('insecureRegistries: pins without a CA when the registry is listed', async () => {
      const ws = workspace();
      succeeded(await pin(ws, 'none', { insecureRegistries: named(trusted) }));
      const compose = expectedText('docker-compose.yml', named(trusted), (n) => digests.get(n) ?? '');
      assert.equal(fs.readFileSync(path.join(ws, 'docker-compose.yml'), 'utf8'), compose);
    });
  });

  describe('PublishHelmChart@1 (Helm gets the agent CA as --ca-file)', () => {
    function publish(helmBin: string, repoPath: string, ca: 'agent' | 'node' | 'none') {
      const { variables, env } = agent(ca);
      return runTask({
        task: { shipped: 'PublishHelmChartV1' },
        inputs: {
          chartPath: copyChart('workloads'),
          registry: `oci://${named(trusted)}/${repoPath}`,
          registryConnection: CONNECTION,
          helmPath: helmBin,
          version: '1.0.0',
        },
        endpoints: { [CONNECTION]: connection(trusted) },
        variables,
        env,
        debug: true,
      });
    }

    for (const helm of HELMS) {
      describe(helm.name, () => {
        it('signs in, pushes and reads back over HTTPS checked against the agent CA', async () => {
          const repoPath = `charts/https-h${helm.major}`;
          const run = succeeded(await publish(toolPath(helm.tool), repoPath, 'agent'));
          const stored = await getManifest(trusted, `${repoPath}/workloads`, '1.0.0');
          assert.ok(stored, 'the chart is not in the registry');
          assert.equal(run.variables['chartDigest']?.value, stored.digest);
        });

        it('trusts a CA given through NODE_EXTRA_CA_CERTS alone', async () => {
          const repoPath = `charts/node-ca-h${helm.major}`;
          succeeded(await publish(toolPath(helm.tool), repoPath, 'node'));
          assert.ok(await getManifest(trusted, `${repoPath}/workloads`, '1.0.0'));
        });

        it('refuses the registry when no CA is given, naming it and the setting', async () => {
          const repoPath = `charts/no-ca-h${helm.major}`;
          const run = await publish(toolPath(helm.tool), repoPath, 'none');
          assertCertificateRefusal(run, trusted, [/Agent\.CAInfo/, /NODE_EXTRA_CA_CERTS/]);
          assert.equal(await getManifest(trusted, `${repoPath}/workloads`, '1.0.0'), undefined);
        });
      });
    }
  });
});
