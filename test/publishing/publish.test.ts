// `npm run publish` against a fake Marketplace (test/emulators/marketplaceEmulator.ts): it signs
// in through workload identity federation (Entra ID and Azure DevOps OIDC emulators) or a PAT,
// uploads the packaged .vsix with the real tfx-cli and shares it; the token is accepted by the
// fake, and never appears on any process's command line, in tfx's environment or in the output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  type AzureTestEnvironment,
  PROJECT,
  TENANT,
  ids,
  startAzureTestEnvironment,
} from '../support/azureEnvironment';
import { type MarketplaceEmulator, startMarketplaceEmulator } from '../emulators/marketplaceEmulator';
import { repoRoot } from '../support/tools';

const root = repoRoot();
const AZURE_DEVOPS = '499b84ac-1321-427f-aa17-267ca6975798';
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'vss-extension.json'), 'utf8')) as {
  publisher: string;
  id: string;
  version: string;
};
const vsix = (id: string) => path.join(root, 'dist', `${manifest.publisher}.${id}-${manifest.version}.vsix`);

interface Run {
  code: number;
  output: string;
}

/** Runs scripts/publish.mjs with only the environment given (plus PATH and the test CA). */
function publish(args: string[], env: Record<string, string>, caFile: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(root, 'scripts', 'publish.mjs'), ...args], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: caFile, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Processes of this machine whose command line (or, readable, environment) holds `secret`. */
function processesHolding(secret: string, file: 'cmdline' | 'environ'): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      if (fs.readFileSync(`/proc/${pid}/${file}`).includes(secret)) {
        found.push(`${pid}: ${fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`);
      }
    } catch {
      // gone, or another user's environment
    }
  }
  return found;
}

describe('npm run publish (fake Marketplace)', function () {
  this.timeout(120_000);
  let azure: AzureTestEnvironment;
  let market: MarketplaceEmulator;
  const pat = `pat${crypto.randomBytes(24).toString('hex')}`;
  /** What the fake saw of the token while tfx was uploading. */
  const exposure: { cmdline: string[]; environ: string[] }[] = [];
  let lastToken = '';

  before(async () => {
    azure = await startAzureTestEnvironment();
    market = await startMarketplaceEmulator({
      acceptToken: (token) => {
        lastToken = token;
        if (token === pat) return true;
        try {
          return azure.entra.verifyAccessToken(token).aud === AZURE_DEVOPS;
        } catch {
          return false;
        }
      },
      duringUpload: () =>
        exposure.push({
          cmdline: processesHolding(lastToken, 'cmdline'),
          environ: processesHolding(lastToken, 'environ'),
        }),
    });
  });
  after(async () => {
    await market?.stop();
    await azure?.stop();
  });

  it('publishes the dev variant with an Entra ID token from workload identity federation and shares it', async () => {
    const run = await publish(
      [
        '--vsix',
        vsix(`${manifest.id}-dev`),
        '--share-with',
        'fabrikam,contoso-qa',
        '--service-url',
        market.url,
      ],
      {
        AZURESUBSCRIPTION_TENANT_ID: TENANT,
        AZURESUBSCRIPTION_CLIENT_ID: ids.wifApp,
        AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: ids.wifConnection,
        SYSTEM_ACCESSTOKEN: azure.jobAccessToken,
        SYSTEM_OIDCREQUESTURI: `${azure.oidc.collectionUri}${PROJECT.id}/_apis/distributedtask/hubs/build/plans/p1/jobs/j1/oidctoken`,
        AZURE_AUTHORITY_HOST: azure.entra.url,
      },
      market.caFile,
    );
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /Entra ID token via workload identity federation/);
    assert.deepEqual(
      market.uploads.map((u) => [u.operation, u.publisher, u.extensionId, u.version]),
      [['create', manifest.publisher, `${manifest.id}-dev`, manifest.version]],
    );
    assert.doesNotMatch(market.uploads[0]?.galleryFlags ?? '', /Public/, 'the dev variant is private');
    assert.deepEqual(
      market.shares.map((s) => `${s.extensionId}@${s.organization}`),
      [`${manifest.id}-dev@fabrikam`, `${manifest.id}-dev@contoso-qa`],
    );
    assert.ok(
      azure.entra.tokenRequests.some((r) => r.credential === 'federated' && r.resource === AZURE_DEVOPS),
      JSON.stringify(azure.entra.tokenRequests),
    );
    assert.deepEqual(
      exposure.at(-1),
      { cmdline: [], environ: [] },
      'the token reached no command line or environment',
    );
    for (const secret of [...azure.entra.issuedTokens, ...azure.oidc.issuedTokens, azure.jobAccessToken]) {
      assert.ok(!run.output.includes(secret), 'a token was printed');
    }
  });

  it('publishes the public variant with a PAT, then refuses the same version again and says why', async () => {
    const args = ['--vsix', vsix(manifest.id), '--service-url', market.url];
    const first = await publish(args, { AZURE_DEVOPS_EXT_PAT: pat }, market.caFile);
    assert.equal(first.code, 0, first.output);
    const upload = market.uploads.find((u) => u.extensionId === manifest.id);
    assert.equal(upload?.version, manifest.version);
    assert.deepEqual(exposure.at(-1)?.cmdline, [], 'the PAT reached no command line');

    const again = await publish(args, { AZURE_DEVOPS_EXT_PAT: pat }, market.caFile);
    assert.equal(again.code, 1);
    assert.match(again.output, /Version number must increase/);
    assert.match(again.output, /npm run version -- extension patch/);
    assert.equal(market.uploads.filter((u) => u.extensionId === manifest.id).length, 1);
    assert.ok(!first.output.includes(pat) && !again.output.includes(pat), 'the PAT was printed');
  });

  it('fails with a 401 naming the service when the token is refused, without printing it', async () => {
    const wrong = `pat${crypto.randomBytes(24).toString('hex')}`;
    const refusedBefore = market.refused.length;
    const run = await publish(
      ['--vsix', vsix(`${manifest.id}-dev`), '--service-url', market.url],
      { AZURE_DEVOPS_EXT_PAT: wrong },
      market.caFile,
    );
    assert.equal(run.code, 1);
    assert.ok(market.refused.length > refusedBefore);
    assert.match(run.output, /401/);
    assert.ok(run.output.includes(market.url), run.output);
    assert.ok(!run.output.includes(wrong), 'the refused token was printed');
  });

  it('rejects bad options before signing in', async () => {
    const run = await publish(['--share-with', 'fab rikam'], {}, market.caFile);
    assert.equal(run.code, 1);
    assert.match(run.output, /--share-with: 'fab rikam' is not an organization name/);
  });
});
