// PinImageDigests@1 bad-input corpus (see badInputCases.ts): every case fails cleanly, names the
// input or the file (and line), and leaves every file and both registries as they were.
import { randomUUID } from 'node:crypto';
import { type RegistryFixture, type RegistryUser, startRegistry } from '../emulators/registry';
import { pushImage } from '../emulators/registry/images';
import { registryConnection } from '../tasks/PromoteImage/promoteRun';
import { type EndpointSpec, disposeTaskRuns, runTask } from '../support/taskRunner';
import {
  HUGE,
  UNKNOWN_HOST,
  caseFiles,
  caseWorkspace,
  cases,
  expectCleanFailure,
  printTimings,
  removeCaseWorkspaces,
} from './badInputCases';

interface Ctx {
  /** Anonymous registry holding team/app:v1. */
  readonly reg: RegistryFixture;
  /** Basic-auth registry holding team/app:v1. */
  readonly locked: RegistryFixture;
  readonly connection: string;
}

const deployment = (image: string) =>
  `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  template:\n    spec:\n      containers:\n        - name: app\n          image: ${image}\n`;
/** The workspace every case starts from: one manifest naming the anonymous registry's image. */
const app = (c: Ctx) => ({ 'deploy/app.yaml': deployment(`${c.reg.host}/team/app:v1`) });

const CASES = cases<Ctx>([
  { name: 'empty files', inputs: () => ({ files: '' }), names: () => ["'files'"] },
  { name: 'files of comments only', inputs: () => ({ files: '# none\n#' }), names: () => ["'files'"] },
  {
    name: 'files glob matching nothing',
    inputs: () => ({ files: 'charts/**/values.yaml' }),
    names: () => ['charts/**/values.yaml'],
  },
  {
    name: 'files naming a missing file',
    inputs: () => ({ files: 'deploy/missing.yaml' }),
    names: () => ['deploy/missing.yaml'],
  },
  {
    name: 'files path leaving the working directory',
    inputs: () => ({ files: 'deploy/app.yaml\n../../outside/victim.yaml' }),
    names: () => ["'files'", 'outside/victim.yaml'],
  },
  {
    name: 'files of 100 KiB',
    inputs: () => ({ files: HUGE }),
    names: () => ["'files'"],
  },
  {
    name: 'workingDirectory that does not exist',
    inputs: () => ({ workingDirectory: 'no/such/folder' }),
    names: () => ['no/such/folder'],
  },
  {
    name: 'action not a choice',
    inputs: () => ({ action: 'pinn' }),
    names: () => ["'action'", 'pin, lock, verify', 'pinn'],
  },
  {
    name: 'pinFormat not a choice',
    inputs: () => ({ pinFormat: 'digest' }),
    names: () => ["'pinFormat'", 'tagAndDigest, digestOnly'],
  },
  {
    name: 'platform without an architecture',
    inputs: () => ({ platform: 'linux' }),
    names: () => ["'platform'"],
  },
  {
    name: 'platform with four parts',
    inputs: () => ({ platform: 'linux/arm64/v8/extra' }),
    names: () => ["'platform'"],
  },
  {
    name: "failOnMutableTags 'yes'",
    inputs: () => ({ failOnMutableTags: 'yes' }),
    names: () => ["'failOnMutableTags'"],
  },
  { name: "failOnDrift 'on'", inputs: () => ({ failOnDrift: 'on' }), names: () => ["'failOnDrift'"] },
  {
    name: "publishLockFile '1'",
    inputs: () => ({ publishLockFile: '1' }),
    names: () => ["'publishLockFile'"],
  },
  {
    name: 'lockFile leaving the workspace',
    inputs: () => ({ lockFile: '$(Pipeline.Workspace)/../outside/image-lock.json' }),
    names: () => ["'lockFile'", 'outside/image-lock.json'],
  },
  {
    name: 'YAML that does not parse',
    inputs: () => ({ files: 'deploy/*.yaml' }),
    files: (c) => ({ ...app(c), 'deploy/broken.yaml': 'kind: Deployment\nspec: [unclosed\n  image: x\n' }),
    names: () => ['deploy/broken.yaml'],
  },
  {
    name: 'malformed image reference in a manifest',
    inputs: () => ({}),
    files: (c) => ({ ...app(c), 'deploy/bad.yaml': deployment('Team/App::v1') }),
    names: () => ['deploy/bad.yaml:10'],
  },
  {
    name: 'malformed image in a Dockerfile',
    inputs: () => ({ files: 'deploy/*.yaml\nDockerfile' }),
    files: (c) => ({ ...app(c), Dockerfile: 'FROM UPPER/Case:bad tag!\nRUN true\n' }),
    names: () => ['Dockerfile:1'],
  },
  {
    name: 'image on an unknown host',
    inputs: () => ({}),
    files: (c) => ({ ...app(c), 'deploy/far.yaml': deployment(`${UNKNOWN_HOST}/team/app:v1`) }),
    names: () => ['deploy/far.yaml:10', UNKNOWN_HOST],
  },
  {
    name: 'tag the registry does not have',
    inputs: () => ({}),
    files: (c) => ({ ...app(c), 'deploy/gone.yaml': deployment(`${c.reg.host}/team/app:v9`) }),
    names: () => ['deploy/gone.yaml:10', 'team/app'],
  },
  {
    name: 'mutable latest tag',
    inputs: () => ({}),
    files: (c) => ({ ...app(c), 'deploy/latest.yaml': deployment(`${c.reg.host}/team/app:latest`) }),
    names: () => ['deploy/latest.yaml:10'],
  },
  {
    name: 'containerRegistry with a wrong password',
    inputs: (c) => ({ containerRegistry: c.connection }),
    files: (c) => ({ 'deploy/app.yaml': deployment(`${c.locked.host}/team/app:v1`) }),
    names: (c) => [c.locked.host],
  },
  {
    name: 'containerRegistry naming no connection',
    inputs: () => ({ containerRegistry: randomUUID() }),
    names: () => ["'containerRegistry'"],
  },
  {
    name: 'verify with a lock file that is not JSON',
    inputs: () => ({ action: 'verify' }),
    files: (c) => ({ ...app(c), 'out/image-lock.json': '{ "version": 1, images: [' }),
    names: () => ['image-lock.json'],
  },
  {
    name: 'verify with a lock file of another version',
    inputs: () => ({ action: 'verify' }),
    files: (c) => ({ ...app(c), 'out/image-lock.json': '{ "version": 7, "images": [] }' }),
    names: () => ['image-lock.json'],
  },
  {
    name: 'verify a reference without a digest',
    inputs: () => ({ action: 'verify' }),
    files: app,
    names: () => ['deploy/app.yaml:10'],
  },
]);

describe('PinImageDigests@1 bad inputs: clean failures, nothing changed', function () {
  this.timeout(180_000);
  const user: RegistryUser = { username: 'pinner', password: 'pinner-Right-pass-1', access: {} };
  let ctx: Ctx;

  before(async () => {
    const [reg, locked] = await Promise.all([
      startRegistry(),
      startRegistry({ auth: 'basic', users: [user] }),
    ]);
    await pushImage(reg, 'team/app', { format: 'oci', tag: 'v1' });
    await pushImage(reg, 'team/app', { format: 'oci', tag: 'latest' });
    await pushImage(locked, 'team/app', { format: 'oci', tag: 'v1' });
    ctx = { reg, locked, connection: randomUUID() };
  });
  after(async () => {
    printTimings('PinImageDigests@1');
    disposeTaskRuns();
    removeCaseWorkspaces();
    await Promise.all([ctx?.reg.stop(), ctx?.locked.stop()]);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const ws = caseWorkspace(c.files ? caseFiles(c, ctx) : app(ctx));
      const inputs: Record<string, string> = {
        files: 'deploy/*.yaml',
        lockFile: 'out/image-lock.json',
        ...c.inputs(ctx),
      };
      const endpoints: Record<string, EndpointSpec> = {};
      if (inputs['containerRegistry'] === ctx.connection)
        endpoints[ctx.connection] = registryConnection(ctx.locked, {
          ...user,
          password: 'pinner-Wrong-pass-2',
        });
      await expectCleanFailure(c.name, c.names(ctx), ws, [ctx.reg, ctx.locked], () =>
        runTask({
          task: { shipped: 'PinImageDigestsV1' },
          inputs,
          endpoints,
          variables: ws.variables,
          debug: true,
          secrets: [user.password],
        }),
      );
    });
  }
});
