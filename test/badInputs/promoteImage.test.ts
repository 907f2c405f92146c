// PromoteImage@1 bad-input corpus (see badInputCases.ts): every case fails cleanly, names the input,
// and leaves the workspace and both registries as they were.
import { randomUUID } from 'node:crypto';
import { type RegistryFixture, type RegistryUser, startRegistry } from '../emulators/registry';
import { type PushedImage, pushImage } from '../emulators/registry/images';
import { type EndpointSpec, disposeTaskRuns, runTask } from '../support/taskRunner';
import { registryConnection } from '../tasks/PromoteImage/promoteRun';
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
  /** Anonymous registry holding app:1.0.0. */
  readonly reg: RegistryFixture;
  /** Basic-auth registry holding app:1.0.0. */
  readonly locked: RegistryFixture;
  readonly image: PushedImage;
  /** A connection id referenced by an input, and its endpoint (may be absent). */
  readonly connection: string;
}

const OTHER_DIGEST = `sha256:${'0'.repeat(64)}`;
const lockFor = (ctx: Ctx) =>
  JSON.stringify({
    version: 1,
    generated: '2026-01-01T00:00:00.000Z',
    images: [
      {
        reference: `${ctx.reg.host}/app:1.0.0`,
        resolved: `${ctx.reg.host}/app:1.0.0@${OTHER_DIGEST}`,
        digest: OTHER_DIGEST,
        mediaType: ctx.image.mediaType,
        platforms: [],
        occurrences: [{ file: 'deploy/app.yaml', line: 1 }],
      },
    ],
  });

const source = (ctx: Ctx) => `${ctx.reg.host}/app:1.0.0`;
const target = (ctx: Ctx) => `${ctx.reg.host}/prod/app`;

const CASES = cases<Ctx>([
  { name: 'empty sourceImage', inputs: () => ({ sourceImage: '' }), names: () => ["'sourceImage'"] },
  { name: 'empty targetImage', inputs: () => ({ targetImage: '' }), names: () => ["'targetImage'"] },
  {
    name: 'sourceImage with upper-case repository',
    inputs: (c) => ({ sourceImage: `${c.reg.host}/Team/App:1.0.0` }),
    names: () => ["'sourceImage'"],
  },
  {
    name: 'sourceImage with two colons',
    inputs: (c) => ({ sourceImage: `${c.reg.host}/app::1.0.0` }),
    names: () => ["'sourceImage'"],
  },
  {
    name: 'sourceImage with a malformed digest',
    inputs: (c) => ({ sourceImage: `${c.reg.host}/app@sha256:xyz` }),
    names: () => ["'sourceImage'"],
  },
  {
    name: 'targetImage with spaces',
    inputs: (c) => ({ targetImage: `${c.reg.host}/prod app` }),
    names: () => ["'targetImage'"],
  },
  {
    name: 'targetImage carrying a digest',
    inputs: (c) => ({ targetImage: `${target(c)}@${c.image.digest}` }),
    names: () => ["'targetImage'"],
  },
  {
    name: 'sourceImage by digest with an untagged target',
    inputs: (c) => ({ sourceImage: `${c.reg.host}/app@${c.image.digest}` }),
    names: () => ["'targetImage'"],
  },
  {
    name: 'more source lines than target lines',
    inputs: (c) => ({ sourceImage: `${source(c)}\n${source(c)}` }),
    names: () => ["'sourceImage'", "'targetImage'"],
  },
  {
    name: 'second sourceImage line malformed',
    inputs: (c) => ({ sourceImage: `${source(c)}\n-bad-`, targetImage: `${target(c)}\n${target(c)}2` }),
    names: () => ["'sourceImage' line 2"],
  },
  {
    name: 'additionalTags with an invalid tag',
    inputs: () => ({ additionalTags: 'stable\n.hidden tag' }),
    names: () => ["'additionalTags'"],
  },
  {
    name: 'additionalTags of 100 KiB',
    inputs: () => ({ additionalTags: HUGE }),
    names: () => ["'additionalTags'"],
  },
  {
    name: 'expectedDigest malformed',
    inputs: () => ({ expectedDigest: 'sha256:not-hex' }),
    names: () => ["'expectedDigest'"],
  },
  {
    name: 'expectedDigest of another image',
    inputs: () => ({ expectedDigest: OTHER_DIGEST }),
    names: () => [OTHER_DIGEST],
  },
  {
    name: 'expectedDigest and lockFile both',
    inputs: () => ({ expectedDigest: OTHER_DIGEST, lockFile: 'image-lock.json' }),
    files: { 'image-lock.json': '{}' },
    names: () => ["'expectedDigest'", "'lockFile'"],
  },
  {
    name: 'overwrite not a choice',
    inputs: () => ({ overwrite: 'sometimes' }),
    names: () => ["'overwrite'", 'never, always', 'sometimes'],
  },
  { name: "copyReferrers 'yes'", inputs: () => ({ copyReferrers: 'yes' }), names: () => ["'copyReferrers'"] },
  { name: "dryRun '1'", inputs: () => ({ dryRun: '1' }), names: () => ["'dryRun'"] },
  {
    name: 'lockFile that is not JSON',
    inputs: () => ({ lockFile: 'image-lock.json' }),
    files: { 'image-lock.json': 'images:\n  - not: json\n' },
    names: () => ['image-lock.json'],
  },
  {
    name: 'lockFile that does not exist',
    inputs: () => ({ lockFile: 'missing/image-lock.json' }),
    names: () => ['missing/image-lock.json'],
  },
  {
    name: 'lockFile leaving the workspace',
    inputs: () => ({ lockFile: '../../outside/image-lock.json' }),
    names: () => ["'lockFile'", 'outside/image-lock.json'],
  },
  {
    name: 'lockFile locking another digest',
    inputs: () => ({ lockFile: 'image-lock.json' }),
    files: (c) => ({ 'image-lock.json': lockFor(c) }),
    names: () => [OTHER_DIGEST],
  },
  {
    name: 'source tag that does not exist',
    inputs: (c) => ({ sourceImage: `${c.reg.host}/app:9.9.9` }),
    names: (c) => [`${c.reg.host}/app`, '9.9.9'],
  },
  {
    name: 'source on an unknown host',
    inputs: () => ({ sourceImage: `${UNKNOWN_HOST}/app:1.0.0` }),
    names: () => [UNKNOWN_HOST],
  },
  {
    name: 'sourceConnection with a wrong password',
    inputs: (c) => ({
      sourceImage: `${c.locked.host}/app:1.0.0`,
      targetImage: `${c.locked.host}/prod/app`,
      sourceConnection: c.connection,
    }),
    names: (c) => [c.locked.host],
  },
  {
    name: 'sourceConnection naming no connection',
    inputs: () => ({ sourceConnection: randomUUID() }),
    names: () => ["'sourceConnection'"],
  },
  {
    name: 'verifySignatures not a known verifier',
    inputs: () => ({ verifySignatures: 'gpg' }),
    names: () => ["'verifySignatures'", 'none, cosignKey, cosignKeyless, notation'],
  },
  {
    name: 'verifySignatures cosignKey without a key',
    inputs: () => ({ verifySignatures: 'cosignKey' }),
    names: () => ["'cosignPublicKey'"],
  },
  {
    name: 'cosignPublicKey neither PEM nor a file',
    inputs: () => ({ verifySignatures: 'cosignKey', cosignPublicKey: 'no-such-dir/cosign.pub' }),
    names: () => ["'cosignPublicKey'", 'no-such-dir/cosign.pub'],
  },
  {
    name: 'cosignPublicKey PEM that is no public key',
    inputs: () => ({
      verifySignatures: 'cosignKey',
      cosignPublicKey: '-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----',
    }),
    names: () => ['cosignPublicKey', 'not a PEM public key'],
  },
  {
    name: 'keyless identity given exactly and as a regular expression',
    inputs: () => ({
      verifySignatures: 'cosignKeyless',
      certificateIdentity: 'a@contoso.com',
      certificateIdentityRegExp: '.*@contoso.com',
    }),
    names: () => ["'certificateIdentity'", "'certificateIdentityRegExp'"],
  },
  {
    name: 'keyless identity regular expression that does not compile',
    inputs: () => ({
      verifySignatures: 'cosignKeyless',
      certificateIdentityRegExp: '(unclosed',
      certificateOidcIssuer: 'https://issuer.example',
      // Any existing path inside the working directory (the folder itself): the regular
      // expression is refused before the root is read.
      trustedRootFile: '.',
    }),
    names: () => ["'verifySignatures'", '(unclosed'],
  },
  {
    name: 'keyless trustedRootFile missing',
    inputs: () => ({
      verifySignatures: 'cosignKeyless',
      certificateIdentity: 'a@contoso.com',
      certificateOidcIssuer: 'https://issuer.example',
      trustedRootFile: 'no-such-root.json',
    }),
    names: () => ["'trustedRootFile'", 'no-such-root.json'],
  },
  {
    name: 'requireAttestations without a trust policy',
    inputs: () => ({ requireAttestations: 'https://slsa.dev/provenance/v1' }),
    names: () => ["'requireAttestations'", "'verifySignatures'"],
  },
  {
    name: 'slsaBuilderId without SLSA provenance required',
    inputs: () => ({
      verifySignatures: 'notation',
      notationCertificates: 'certs.pem',
      slsaBuilderId: 'https://builder.example',
    }),
    names: () => ["'slsaBuilderId'", "'requireAttestations'"],
  },
]);

describe('PromoteImage@1 bad inputs: clean failures, nothing changed', function () {
  this.timeout(180_000);
  const user: RegistryUser = { username: 'promoter', password: 'promoter-Right-pass-1', access: {} };
  let ctx: Ctx;

  before(async () => {
    const [reg, locked] = await Promise.all([
      startRegistry(),
      startRegistry({ auth: 'basic', users: [user] }),
    ]);
    const image = await pushImage(reg, 'app', { format: 'oci', tag: '1.0.0' });
    await pushImage(locked, 'app', { format: 'oci', tag: '1.0.0' });
    ctx = { reg, locked, image, connection: randomUUID() };
  });
  after(async () => {
    printTimings('PromoteImage@1');
    disposeTaskRuns();
    removeCaseWorkspaces();
    await Promise.all([ctx?.reg.stop(), ctx?.locked.stop()]);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const ws = caseWorkspace(caseFiles(c, ctx));
      const inputs: Record<string, string> = {
        sourceImage: source(ctx),
        targetImage: target(ctx),
        ...c.inputs(ctx),
      };
      const endpoints: Record<string, EndpointSpec> = {};
      if (inputs['sourceConnection'] === ctx.connection)
        endpoints[ctx.connection] = registryConnection(ctx.locked, {
          ...user,
          password: 'promoter-Wrong-pass-2',
        });
      await expectCleanFailure(c.name, c.names(ctx), ws, [ctx.reg, ctx.locked], () =>
        runTask({
          task: { shipped: 'PromoteImageV1' },
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
