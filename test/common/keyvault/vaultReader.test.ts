// The Key Vault emulator as the REST API documents it, read through the real SecretClient (the
// vault reader) and through raw HTTPS, with tokens from the Entra ID emulator.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import https from 'node:https';
import { ThrottleGate } from '../../../tasks/common/keyvault/throttling';
import { throttleAt } from '../../emulators/keyVaultThrottle';
import {
  SecretLookupError,
  type VaultReader,
  createVaultReader,
} from '../../../tasks/common/keyvault/vaultReader';
import {
  type KeyVaultTestEnvironment,
  TENANT,
  inProcessCredential,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

const DAY = 24 * 3600 * 1000;
const OLD_VERSION = '0123456789abcdef0123456789abcdef';

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

function raw(env: KeyVaultTestEnvironment, pathAndQuery: string, token?: string): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      `${env.vault.url}${pathAndQuery}`,
      { ca: fs.readFileSync(env.entra.caFile), headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
  });
}

describe('Key Vault emulator through SecretClient and raw REST', function () {
  this.timeout(60_000);
  let env: KeyVaultTestEnvironment;
  let token: string;
  const names = Array.from({ length: 60 }, (_, i) => `bulk-${String(i).padStart(3, '0')}`);

  before(async () => {
    env = await startKeyVaultTestEnvironment([
      ...names.map((name) => ({ name, value: `value of ${name}` })),
      {
        name: 'Db-Password',
        value: 'latest-pass',
        olderVersions: [{ value: 'old-pass', version: OLD_VERSION }],
        contentType: 'text/plain',
        tags: { owner: 'team-a' },
      },
      { name: 'disabled-one', value: 'never served', enabled: false },
      { name: 'expired-one', value: 'still served', expires: new Date(Date.now() - DAY) },
    ]);
    token = (await inProcessCredential(env).credential.getToken('https://vault.azure.net/.default')).token;
  });
  after(async () => {
    await env?.stop();
  });
  afterEach(() => env.vault.configure({ throttle: undefined, latencyMs: 0 }));

  const reader = (
    settings: { sdkRetries?: number; outerAttempts?: number; verify?: boolean; gate?: ThrottleGate } = {},
  ): VaultReader =>
    createVaultReader({
      vault: { url: env.vault.url, label: 'emulator', verifyChallengeResource: settings.verify ?? false },
      credential: inProcessCredential(env).credential,
      additionalPolicies: inProcessCredential(env).clientOptions.additionalPolicies,
      sdkRetries: settings.sdkRetries,
      outerAttempts: settings.outerAttempts,
      gate: settings.gate,
    });

  it('answers an unauthenticated request with the 401 challenge naming the authority, tenant and resource', async () => {
    const answer = await raw(env, '/secrets?api-version=7.5');
    assert.equal(answer.status, 401);
    assert.equal(
      answer.headers['www-authenticate'],
      `Bearer authorization="${env.entra.url}/${TENANT}", resource="https://vault.azure.net"`,
    );
    assert.deepEqual(answer.body, {
      error: { code: 'Unauthorized', message: 'AKV10000: Request is missing a Bearer or PoP token.' },
    });
  });

  it('pages the list with maxresults and nextLink, and refuses maxresults over 25', async () => {
    const first = await raw(env, '/secrets?api-version=7.5&maxresults=25', token);
    assert.equal(first.status, 200);
    assert.equal((first.body['value'] as unknown[]).length, 25);
    assert.match(
      String(first.body['nextLink']),
      /^https:\/\/127\.0\.0\.1:\d+\/secrets\?api-version=7\.5&\$skiptoken=\w+&maxresults=25$/,
    );
    const over = await raw(env, '/secrets?api-version=7.5&maxresults=26', token);
    assert.equal(over.status, 400);
    assert.equal((over.body['error'] as { code: string }).code, 'BadParameter');

    env.vault.resetStats();
    const listed: string[] = [];
    for await (const page of reader().listPages(25)) listed.push(...page.map((s) => s.name));
    assert.equal(env.vault.stats.listPages, 3);
    assert.deepEqual(
      listed,
      [...listed].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())),
    );
    assert.equal(listed.length, names.length + 3);
    assert.ok(env.vault.stats.unauthorized >= 1, 'the SDK met the challenge first');
  });

  it('requests the next page before the caller asks for it; a caller that stops early leaves no failure behind', async () => {
    /** Polls until `done` (the emulator counts a page once it answers it). */
    const until = async (done: () => boolean) => {
      for (let i = 0; !done(); i++) {
        assert.ok(i < 500, 'waited 5 s for the emulator');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    env.vault.resetStats();
    const pages = reader().listPages(25)[Symbol.asyncIterator]();
    assert.equal((await pages.next()).done, false);
    // Page 2 is not asked for yet: it is on its way all the same, while page 1 is worked on.
    await until(() => env.vault.stats.listPages === 2);
    await pages.return?.(undefined);
    assert.equal(env.vault.stats.listPages, 2, 'page 3 is not requested once the caller has stopped');

    // The page fetched ahead fails (429, no retry left) after the caller has stopped: nothing throws.
    env.vault.resetStats();
    env.vault.configure({ throttle: throttleAt([1], 1) }); // the second page
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for await (const page of reader({ sdkRetries: 0, outerAttempts: 1 }).listPages(25)) {
        assert.equal(page.length, 25);
        break;
      }
      await until(() => env.vault.stats.throttled === 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    assert.deepEqual(unhandled, []);
  });

  it('gets the latest version and a given one, in any case, with tags and content type', async () => {
    const r = reader();
    const latest = await r.getSecret('db-password', undefined);
    assert.deepEqual(
      [latest.name, latest.value, latest.contentType],
      ['Db-Password', 'latest-pass', 'text/plain'],
    );
    assert.match(latest.version, /^[0-9a-f]{32}$/);
    const old = await r.getSecret('DB-PASSWORD', OLD_VERSION);
    assert.deepEqual([old.value, old.version], ['old-pass', OLD_VERSION]);
    const bundle = await raw(env, `/secrets/db-password/${OLD_VERSION}?api-version=7.5`, token);
    assert.equal(bundle.body['id'], `${env.vault.url}/secrets/Db-Password/${OLD_VERSION}`);
    const latestRaw = await raw(env, '/secrets/db-password/?api-version=7.5', token);
    assert.deepEqual(latestRaw.body['tags'], { owner: 'team-a' });
  });

  it('answers 403 SecretDisabled for a disabled secret and 404 SecretNotFound for a missing one', async () => {
    const disabled = await raw(env, '/secrets/disabled-one?api-version=7.5', token);
    assert.equal(disabled.status, 403);
    assert.deepEqual(disabled.body, {
      error: {
        code: 'Forbidden',
        message: 'Operation get is not allowed on a disabled secret.',
        innerError: { code: 'SecretDisabled' },
      },
    });
    const missing = await raw(env, '/secrets/no-such-secret?api-version=7.5', token);
    assert.equal(missing.status, 404);
    assert.equal((missing.body['error'] as { code: string }).code, 'SecretNotFound');

    const r = reader();
    const kinds = await Promise.all(
      ['disabled-one', 'no-such-secret'].map((n) =>
        r.getSecret(n, undefined).then(
          () => 'served',
          (e: unknown) => (e instanceof SecretLookupError ? e.kind : String(e)),
        ),
      ),
    );
    assert.deepEqual(kinds, ['disabled', 'notFound']);
  });

  it('serves an expired secret with its exp attribute (the client must check it)', async () => {
    const expired = await reader().getSecret('expired-one', undefined);
    assert.equal(expired.value, 'still served');
    assert.ok(expired.expiresOn && expired.expiresOn.getTime() < Date.now());
  });

  it('retries 429 and 503 as Retry-After asks, in the SDK and, once the SDK gives up, in the reader (paging resumes)', async () => {
    env.vault.resetStats();
    env.vault.configure({ throttle: throttleAt([1, 2], 1) }); // the second page, twice
    // A clock that moves only by the waits it is asked for: they are counted, not timed.
    let now = 0;
    const waits: number[] = [];
    const gate = new ThrottleGate(
      () => now,
      () => 0,
      (ms) => {
        waits.push(ms);
        now += ms;
        return Promise.resolve();
      },
    );
    const r = reader({ sdkRetries: 0, gate });
    let count = 0;
    for await (const page of r.listPages(25)) count += page.length;
    assert.equal(count, names.length + 3);
    assert.equal(env.vault.stats.throttled, 2);
    assert.equal(env.vault.stats.listPages, 3, 'no page was listed twice');
    assert.equal(r.stats.outerRetries, 2);
    assert.deepEqual(waits, [1000, 1000], 'waited the 1 s Retry-After twice');

    for (const status of [429, 503] as const) {
      env.vault.resetStats();
      env.vault.configure({ throttle: throttleAt([0], 1, status) });
      const sdk = reader();
      assert.equal((await sdk.getSecret('bulk-001', undefined)).value, 'value of bulk-001');
      assert.deepEqual([sdk.stats.throttled, sdk.stats.outerRetries], [1, 0], `${status} retried by the SDK`);
    }
  });

  it('with challenge resource verification on, an IP-addressed vault is refused by SecretClient', async () => {
    await assert.rejects(
      reader({ verify: true }).getSecret('bulk-001', undefined),
      /resource|challenge|domain/i,
    );
  });
});
