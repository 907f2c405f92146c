// `npm run publish -- [--dev] [--share-with org1,org2] [--vsix FILE] [--service-url URL]`:
// builds and packs the public (or, with --dev, the private dev) variant, signs in (see
// marketplace-token.mjs) and publishes it with tfx-cli, sharing it with the named organizations.
// The token reaches tfx on a pipe (tfx-token-stdin.cjs), never on a command line or on disk.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from './build.mjs';
import { root, step } from './lib.mjs';
import { marketplaceToken } from './marketplace-token.mjs';
import { pack } from './package.mjs';

const USAGE = 'usage: npm run publish -- [--dev] [--share-with org1,org2] [--vsix FILE] [--service-url URL]';
/** Organization names as Azure DevOps allows them: letters, digits, hyphens, 1 to 50 characters. */
const ORG = /^[A-Za-z0-9][A-Za-z0-9-]{0,49}$/;

export function parseArgs(argv) {
  const options = { dev: false, shareWith: [], vsix: undefined, serviceUrl: undefined };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value. ${USAGE}`);
      return v;
    };
    if (arg === '--dev') options.dev = true;
    else if (arg === '--share-with')
      options.shareWith.push(
        ...value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      );
    else if (arg === '--vsix') options.vsix = path.resolve(value());
    else if (arg === '--service-url') options.serviceUrl = value();
    else throw new Error(`unknown option '${arg}'. ${USAGE}`);
  }
  const bad = options.shareWith.filter((o) => !ORG.test(o));
  if (bad.length > 0)
    throw new Error(
      `--share-with: '${bad.join("', '")}' is not an organization name (letters, digits, hyphens)`,
    );
  if (options.serviceUrl !== undefined && !/^https?:\/\//.test(options.serviceUrl)) {
    throw new Error(`--service-url: '${options.serviceUrl}' is not an http(s) URL`);
  }
  return options;
}

/** The environment tfx runs in: no credentials it does not need, no tracing, a private empty HOME. */
function tfxEnv(home) {
  const env = { ...process.env, HOME: home, USERPROFILE: home };
  for (const name of Object.keys(env)) {
    if (/^TFX_/.test(name) || /^(AZURE_DEVOPS_EXT_PAT|AZURE_CLIENT_SECRET|SYSTEM_ACCESSTOKEN)$/.test(name))
      delete env[name];
  }
  return env;
}

/** Runs `tfx extension publish`, the token written to its stdin; resolves with the exit code. */
function runTfx(args, token) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-tfx-home-'));
  const wrapper = path.join(path.dirname(fileURLToPath(import.meta.url)), 'tfx-token-stdin.cjs');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [wrapper, ...args], {
      cwd: root,
      env: tfxEnv(home),
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? 1));
    child.stdin.end(token);
  }).finally(() => fs.rmSync(home, { recursive: true, force: true }));
}

export async function publish(options) {
  let vsix = options.vsix;
  if (vsix === undefined) {
    await build();
    vsix = pack({ dev: options.dev });
  } else if (!fs.existsSync(vsix)) {
    throw new Error(`--vsix: ${vsix} does not exist`);
  }
  step(`Sign in to the Marketplace`);
  const { token, method } = await marketplaceToken();
  console.log(`  ${method}`);
  step(
    `Publish ${path.relative(root, vsix) || vsix}${options.shareWith.length ? `, share with ${options.shareWith.join(', ')}` : ''}`,
  );
  const args = ['extension', 'publish', '--vsix', vsix, '--no-prompt', '--no-color'];
  if (options.serviceUrl) args.push('--service-url', options.serviceUrl);
  if (options.shareWith.length > 0) args.push('--share-with', ...options.shareWith);
  const code = await runTfx(args, token);
  if (code !== 0) {
    throw new Error(
      `tfx extension publish failed (exit ${code}) at ${options.serviceUrl ?? 'the Marketplace'}: see its message above. ` +
        'A 401 means the token is not accepted (expired, or the identity is not a member of the publisher); ' +
        'a version conflict means the extension version was already published (npm run version -- extension patch).',
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    await publish(parseArgs(process.argv.slice(2)));
  } catch (err) {
    console.error(`\npublish: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}
