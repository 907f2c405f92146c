// Smoke test of the provisioned Helm 3 and Helm 4 binaries against the real-registry fixture:
// package a hand-written chart, push it over OCI, pull it back byte for byte; anonymous, with
// htpasswd basic auth and with bearer tokens. Passwords go through stdin, never on a command line.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRegistry, type RegistryFixture, type RegistryUser } from '../emulators/registry';
import { getManifest } from '../emulators/registry/images';
import { toolPath, type ToolName } from '../support/tools';

interface HelmResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const CHART_VERSION = '0.1.0';
const CHART_FILES: Record<string, string> = {
  'Chart.yaml': `apiVersion: v2\nname: smoke\ndescription: Helm smoke test chart\nversion: ${CHART_VERSION}\n`,
  'values.yaml': 'greeting: hello\n',
  'templates/configmap.yaml':
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-smoke\ndata:\n  greeting: {{ .Values.greeting | quote }}\n',
};

const helms: { name: string; tool: ToolName; major: number; loginPlainHttp: string }[] = [
  { name: 'Helm 3', tool: 'HELM3_BIN', major: 3, loginPlainHttp: '--insecure' },
  { name: 'Helm 4', tool: 'HELM4_BIN', major: 4, loginPlainHttp: '--plain-http' },
];

describe('Helm binaries against the registry fixture', function () {
  this.timeout(60_000);
  const pusher: RegistryUser = {
    username: 'chart-pusher',
    password: 'pusher-secret-1',
    access: { 'charts/*': ['pull', 'push'] },
  };
  let work: string;
  let anonymous: RegistryFixture;
  let basic: RegistryFixture;
  let token: RegistryFixture;

  before(async () => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-smoke-'));
    for (const [file, text] of Object.entries(CHART_FILES)) {
      fs.mkdirSync(path.dirname(path.join(work, 'chart', file)), { recursive: true });
      fs.writeFileSync(path.join(work, 'chart', file), text);
    }
    [anonymous, basic, token] = await Promise.all([
      startRegistry(),
      startRegistry({ auth: 'basic', users: [pusher] }),
      startRegistry({ auth: 'token', users: [pusher] }),
    ]);
  });
  after(async () => {
    await Promise.all([anonymous?.stop(), basic?.stop(), token?.stop()]);
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  for (const helm of helms) {
    describe(helm.name, () => {
      let bin: string;
      let home: string;
      let tgz: string;

      /** Runs helm with private config/cache/registry-config folders; `input` goes to stdin. */
      const run = (args: string[], input = ''): Promise<HelmResult> =>
        new Promise((resolve, reject) => {
          const env = {
            ...process.env,
            HELM_REGISTRY_CONFIG: path.join(home, 'registry', 'config.json'),
            HELM_CACHE_HOME: path.join(home, 'cache'),
            HELM_CONFIG_HOME: path.join(home, 'config'),
            HELM_DATA_HOME: path.join(home, 'data'),
            DOCKER_CONFIG: path.join(home, 'docker'),
          };
          const child = spawn(bin, args, { env, cwd: work, stdio: ['pipe', 'pipe', 'pipe'] });
          let stdout = '';
          let stderr = '';
          child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
          child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
          child.on('error', reject);
          child.on('close', (code) => resolve({ code, stdout, stderr }));
          child.stdin.end(input);
        });
      const ok = async (args: string[], input = ''): Promise<HelmResult> => {
        const r = await run(args, input);
        assert.equal(r.code, 0, `helm ${args.join(' ')} failed:\n${r.stderr}`);
        return r;
      };
      const login = (reg: RegistryFixture, user: { username: string; password: string }) =>
        run(
          [
            'registry',
            'login',
            reg.host,
            '--username',
            user.username,
            '--password-stdin',
            helm.loginPlainHttp,
          ],
          user.password,
        );
      /** push, then pull into a fresh folder; returns the pulled bytes. */
      const roundTrip = async (reg: RegistryFixture, repository: string): Promise<Buffer> => {
        await ok(['push', tgz, `oci://${reg.host}/${repository}`, '--plain-http']);
        const dest = fs.mkdtempSync(path.join(work, 'pulled-'));
        await ok([
          'pull',
          `oci://${reg.host}/${repository}/smoke`,
          '--version',
          CHART_VERSION,
          '--plain-http',
          '-d',
          dest,
        ]);
        return fs.readFileSync(path.join(dest, `smoke-${CHART_VERSION}.tgz`));
      };

      before(async () => {
        bin = toolPath(helm.tool);
        home = fs.mkdtempSync(path.join(work, `home-${helm.major}-`));
        const out = path.join(home, 'package');
        await ok(['package', path.join(work, 'chart'), '-d', out]);
        tgz = path.join(out, `smoke-${CHART_VERSION}.tgz`);
      });

      it(`is major version ${helm.major}`, async () => {
        const { stdout } = await ok(['version', '--template', '{{.Version}}']);
        assert.match(stdout.trim(), new RegExp(`^v${helm.major}\\.\\d+\\.\\d+`));
      });

      it('pushes to and pulls from the anonymous registry byte for byte', async () => {
        const repository = `charts/helm${helm.major}`;
        assert.deepEqual(await roundTrip(anonymous, repository), fs.readFileSync(tgz));
        const manifest = await getManifest(anonymous, `${repository}/smoke`, CHART_VERSION);
        const config = (JSON.parse(manifest!.body.toString()) as { config: { mediaType: string } }).config;
        assert.equal(config.mediaType, 'application/vnd.cncf.helm.config.v1+json');
      });

      it('needs a login for the basic-auth registry, and rejects a wrong password', async () => {
        const denied = await run([
          'push',
          tgz,
          `oci://${basic.host}/charts/helm${helm.major}`,
          '--plain-http',
        ]);
        assert.notEqual(denied.code, 0);
        const wrong = await login(basic, { ...pusher, password: 'not-the-password' });
        assert.notEqual(wrong.code, 0);
        assert.match(wrong.stderr, /401/);
        const logged = await login(basic, pusher);
        assert.equal(logged.code, 0, logged.stderr);
        assert.deepEqual(await roundTrip(basic, `charts/helm${helm.major}`), fs.readFileSync(tgz));
        await ok(['registry', 'logout', basic.host]);
      });

      it('pushes and pulls with bearer tokens scoped by the token server', async () => {
        const logged = await login(token, pusher);
        assert.equal(logged.code, 0, logged.stderr);
        const repository = `charts/helm${helm.major}`;
        assert.deepEqual(await roundTrip(token, repository), fs.readFileSync(tgz));
        const grants = token.tokenServer!.requests().filter((r) => r.user === pusher.username);
        const pushGrant = grants.find((r) =>
          r.granted.some((g) => g.name === `${repository}/smoke` && g.actions.includes('push')),
        );
        assert.ok(pushGrant, 'no token granted push on the chart repository');
        const outside = await run(['push', tgz, `oci://${token.host}/other`, '--plain-http']);
        assert.notEqual(outside.code, 0, 'push outside charts/* should be refused');
        assert.match(outside.stderr, /insufficient_scope|401|denied/i);
        await ok(['registry', 'logout', token.host]);
      });
    });
  }
});
