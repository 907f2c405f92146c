// The Authenticator against a scripted token service with a controlled clock: token reuse across
// scopes, expiry, refresh-token grants, and a narrower request when a wide one is refused.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../../../tasks/common/log';
import { Authenticator } from '../../../tasks/common/registry/auth';
import type { RegistryCredential } from '../../../tasks/common/registry/credential';
import { retryPolicy } from '../../../tasks/common/net/retry';
import { RequestStats } from '../../../tasks/common/registry/stats';
import { Transport } from '../../../tasks/common/net/transport';
import { recordingSecrets } from '../../support/registryTestClient';

interface TokenCall {
  method: string;
  scopes: string[];
  form?: URLSearchParams;
  authorization?: string;
}

async function tokenService(refuseWide = false) {
  const calls: TokenCall[] = [];
  let issued = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const form = req.method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString()) : undefined;
      const scopes = form
        ? (form.get('scope') ?? '').split(' ').filter((s) => s)
        : url.searchParams.getAll('scope');
      calls.push({
        method: req.method ?? '',
        scopes,
        ...(form ? { form } : {}),
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      if (refuseWide && scopes.length > 1) {
        res
          .writeHead(401, { 'content-type': 'application/json' })
          .end('{"errors":[{"code":"DENIED","message":"no"}]}');
        return;
      }
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ access_token: `token-${++issued}`, expires_in: 100 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const realm = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
  return {
    host: new URL(realm).host,
    realm,
    calls,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('registry/auth: token cache and grants', () => {
  // The registry and its token service share host and port, as ACR's do: credentials go nowhere else.
  let service: Awaited<ReturnType<typeof tokenService>>;
  let transport: Transport;
  let clock = 1_000_000;
  const secrets = recordingSecrets();
  const make = (credential: RegistryCredential) =>
    new Authenticator({
      credentials: () => Promise.resolve(credential),
      transport,
      secrets,
      logger: silentLogger,
      stats: new RequestStats(),
      now: () => clock,
    });
  const challenge = (realm: string, scope: string) =>
    `Bearer realm="${realm}",service="${service.host}",scope="${scope}"`;

  afterEach(async () => {
    transport.close();
    await service.stop();
  });

  it('asks once for every declared scope, reuses the token, and renews it shortly before expiry', async () => {
    service = await tokenService();
    transport = new Transport({}, retryPolicy({ maxRetries: 0 }), silentLogger);
    const auth = make({ kind: 'basic', username: 'u', password: 'p' });
    auth.declareScopes(service.host, ['repository:prod/app:push,pull', 'repository:dev/app:pull']);
    assert.equal(
      await auth.headerFor(service.host, ['repository:dev/app:pull']),
      undefined,
      'nothing before a challenge',
    );

    const first = await auth.onUnauthorized(
      service.host,
      ['repository:dev/app:pull'],
      challenge(service.realm, 'repository:dev/app:pull'),
      undefined,
    );
    assert.equal(first, 'Bearer token-1');
    assert.deepEqual(service.calls[0]?.scopes, ['repository:prod/app:push,pull', 'repository:dev/app:pull']);
    assert.equal(service.calls[0]?.authorization, `Basic ${Buffer.from('u:p').toString('base64')}`);
    assert.equal(
      await auth.headerFor(service.host, ['repository:prod/app:push,pull', 'repository:dev/app:pull']),
      'Bearer token-1',
    );
    assert.equal(service.calls.length, 1, 'the mount scopes are covered by the same token');
    assert.ok(secrets.values.has('token-1'));

    clock += 79_000; // 100 s lifetime, renewed 20 s early
    assert.equal(await auth.headerFor(service.host, ['repository:dev/app:pull']), 'Bearer token-1');
    clock += 2_000;
    assert.equal(await auth.headerFor(service.host, ['repository:dev/app:pull']), 'Bearer token-2');
    assert.equal(service.calls.length, 2);
  });

  it('uses the OAuth2 refresh-token grant for identity tokens', async () => {
    service = await tokenService();
    transport = new Transport({}, retryPolicy({ maxRetries: 0 }), silentLogger);
    const auth = make({ kind: 'refreshToken', refreshToken: 'identity-token-xyz' });
    await auth.onUnauthorized(
      service.host,
      ['repository:a:pull'],
      challenge(service.realm, 'repository:a:pull'),
      undefined,
    );
    const call = service.calls[0];
    assert.equal(call?.method, 'POST');
    assert.equal(call?.form?.get('grant_type'), 'refresh_token');
    assert.equal(call?.form?.get('refresh_token'), 'identity-token-xyz');
    assert.equal(call?.form?.get('service'), service.host);
    assert.equal(call?.form?.get('scope'), 'repository:a:pull');
  });

  it('asks again for the needed scope alone when the service refuses the wide request', async () => {
    service = await tokenService(true);
    transport = new Transport({}, retryPolicy({ maxRetries: 0 }), silentLogger);
    const auth = make({ kind: 'anonymous' });
    auth.declareScopes(service.host, ['repository:prod/app:push,pull']);
    const header = await auth.onUnauthorized(
      service.host,
      ['repository:dev/app:pull'],
      challenge(service.realm, 'repository:dev/app:pull'),
      undefined,
    );
    assert.equal(header, 'Bearer token-1');
    assert.deepEqual(
      service.calls.map((c) => c.scopes),
      [['repository:prod/app:push,pull', 'repository:dev/app:pull'], ['repository:dev/app:pull']],
    );
  });

  it('does not ask again after an insufficient_scope refusal of a token that asked for the scope', async () => {
    service = await tokenService();
    transport = new Transport({}, retryPolicy({ maxRetries: 0 }), silentLogger);
    const auth = make({ kind: 'anonymous' });
    const scopes = ['repository:prod/app:push,pull'];
    const sent = await auth.onUnauthorized(
      service.host,
      scopes,
      challenge(service.realm, scopes[0] ?? ''),
      undefined,
    );
    const refused = `${challenge(service.realm, scopes[0] ?? '')},error="insufficient_scope"`;
    assert.equal(await auth.onUnauthorized(service.host, scopes, refused, sent), undefined);
    assert.equal(service.calls.length, 1);
  });
});
