// Credentials go only to their own host: a token realm on another host or port never receives a
// password, identity token or Entra ID token; an upload Location, a paging Link and a redirect to
// another origin are followed without the Authorization header. Scripted loopback servers record
// every request, so each test checks that the secret reached nobody else.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type http from 'node:http';
import type { RegistryCredential } from '../../../tasks/common/registry/credential';
import type { RegistryClient } from '../../../tasks/common/registry/client';
import { OCI_MANIFEST } from '../../../tasks/common/registry/mediaTypes';
import { RegistryError } from '../../../tasks/common/registry/registryError';
import { scriptedServer, type ScriptedServer, type SeenRequest } from '../../emulators/scriptedServer';
import { testClient } from '../../support/registryTestClient';
import { copyBlob, imageIn, listTags, findManifest } from '../../../tasks/common/registry';

const sha = (b: Buffer | string): string => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
const manifest = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_MANIFEST, layers: [] }));
const PASSWORD = 'registry-password-4711';
const REFRESH = 'identity-token-0815';
const ENTRA = 'entra-access-token-42';
const basicAuth = `Basic ${Buffer.from(`pusher:${PASSWORD}`).toString('base64')}`;
const SECRETS = [PASSWORD, REFRESH, ENTRA, basicAuth.slice(6)];

function answerManifest(req: SeenRequest, res: http.ServerResponse): void {
  res
    .writeHead(200, {
      'content-type': OCI_MANIFEST,
      'docker-content-digest': sha(manifest),
      'content-length': String(manifest.length),
    })
    .end(req.method === 'HEAD' ? undefined : manifest);
}

/** Every request a server saw that carries one of the test's secrets (header or body). */
function leaks(server: ScriptedServer): SeenRequest[] {
  return server.seen.filter((r) =>
    SECRETS.some((s) => (r.authorization ?? '').includes(s) || r.body.includes(s)),
  );
}

describe('registry: credentials go only to their own host', () => {
  const stops: (() => Promise<void>)[] = [];
  const clients: RegistryClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    while (stops.length > 0) await stops.pop()?.();
  });
  const serve = async (route: (req: SeenRequest, res: http.ServerResponse) => void) => {
    const s = await scriptedServer(route);
    stops.push(() => s.stop());
    return s;
  };
  const client = (credentials: Record<string, RegistryCredential>) => {
    const c = testClient(credentials, { maxRetries: 0 });
    clients.push(c);
    return c;
  };
  /** A token service that hands out `token` to anyone, recording what it was sent. */
  const tokenService = () =>
    serve((_req, res) => res.writeHead(200).end(JSON.stringify({ token: 'issued-token' })));
  /** A registry whose challenge names `realm()`, accepting `Bearer issued-token`. */
  const bearerRegistry = (realm: () => string) =>
    serve((req, res) => {
      if (req.authorization === 'Bearer issued-token') return answerManifest(req, res);
      res.writeHead(401, { 'www-authenticate': `Bearer realm="${realm()}",service="reg"` }).end();
    });

  const credentialsOf = (kind: 'basic' | 'refreshToken'): RegistryCredential =>
    kind === 'basic'
      ? { kind: 'basic', username: 'pusher', password: PASSWORD }
      : { kind: 'refreshToken', refreshToken: REFRESH };

  for (const kind of ['basic', 'refreshToken'] as const) {
    it(`${kind}: a token realm on another port of the same host gets nothing; the error names both`, async () => {
      const other = await tokenService();
      const reg = await bearerRegistry(() => `http://${other.host}/token`);
      await assert.rejects(
        findManifest(
          client({ [reg.host]: credentialsOf(kind) }).http,
          imageIn({ registry: reg.host, repository: 'app' }, { tag: 'v1' }),
        ),
        (err: unknown) => {
          assert.ok(err instanceof RegistryError, String(err));
          assert.ok(err.message.includes(reg.host), err.message);
          assert.ok(err.message.includes(other.host), err.message);
          assert.match(err.message, /Nothing was sent there/);
          assert.ok(!SECRETS.some((s) => err.message.includes(s)));
          return true;
        },
      );
      assert.deepEqual(other.seen, [], 'the other port was never contacted');
      assert.deepEqual(leaks(reg), []);
    });
  }

  it('basic: a token realm on another host name (same port) gets nothing', async () => {
    let port = '';
    const reg = await serve((req, res) => {
      if (req.url.startsWith('/token')) return res.writeHead(200).end('{"token":"issued-token"}');
      if (req.authorization === 'Bearer issued-token') return answerManifest(req, res);
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://localhost:${port}/token"` }).end();
    });
    port = reg.host.split(':')[1] ?? '';
    await assert.rejects(
      findManifest(
        client({ [reg.host]: credentialsOf('basic') }).http,
        imageIn({ registry: reg.host, repository: 'app' }, { tag: 'v1' }),
      ),
      (err: unknown) =>
        err instanceof RegistryError &&
        err.message.includes(`localhost:${port}`) &&
        err.message.includes(reg.host),
    );
    assert.deepEqual(
      reg.seen.filter((r) => r.url.startsWith('/token')),
      [],
    );
    assert.deepEqual(leaks(reg), []);
  });

  it('basic: a token realm on the registry own host and port gets the password', async () => {
    let host = '';
    const reg = await serve((req, res) => {
      if (req.url.startsWith('/token')) {
        const ok = req.authorization === basicAuth;
        return res.writeHead(ok ? 200 : 401).end(ok ? '{"token":"issued-token"}' : '{}');
      }
      if (req.authorization === 'Bearer issued-token') return answerManifest(req, res);
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${host}/token",service="reg"` }).end();
    });
    host = reg.host;
    const resolved = await findManifest(
      client({ [reg.host]: credentialsOf('basic') }).http,
      imageIn({ registry: reg.host, repository: 'app' }, { tag: 'v1' }),
    );
    assert.equal(resolved?.digest, sha(manifest));
    const tokenCalls = reg.seen.filter((r) => r.url.startsWith('/token'));
    assert.equal(tokenCalls.length, 1);
    assert.equal(tokenCalls[0]?.authorization, basicAuth);
  });

  it('entra: a token service on another port is not an ACR: no exchange, asked anonymously', async () => {
    const other = await tokenService();
    const reg = await bearerRegistry(() => `http://${other.host}/oauth2/token`);
    let asked = 0;
    const resolved = await findManifest(
      client({
        [reg.host]: {
          kind: 'entra',
          getAccessToken: () => (asked++, Promise.resolve(ENTRA)),
        },
      }).http,
      imageIn({ registry: reg.host, repository: 'app' }, { tag: 'v1' }),
    );
    assert.equal(resolved?.digest, sha(manifest));
    assert.equal(asked, 0, 'no Entra token was even requested');
    assert.deepEqual(
      other.seen.map((r) => `${r.method} ${r.url.split('?')[0]} ${r.authorization ?? '-'}`),
      ['GET /oauth2/token -'],
      'one anonymous token request, no /oauth2/exchange',
    );
    assert.deepEqual(leaks(other), []);
  });

  describe('Location, Link and redirects to another origin', () => {
    const blob = Buffer.from('layer bytes that move between registries');
    /** A registry that wants Basic credentials for everything, with `extra` for its own routes. */
    const basicRegistry = (extra: (req: SeenRequest, res: http.ServerResponse) => boolean) =>
      serve((req, res) => {
        if (req.authorization !== basicAuth) {
          return res.writeHead(401, { 'www-authenticate': 'Basic realm="registry"' }).end();
        }
        if (!extra(req, res)) res.writeHead(404).end();
      });

    it('an upload Location naming another port gets the blob but not the credentials', async () => {
      const storage = await serve((req, res) => res.writeHead(req.method === 'PUT' ? 201 : 404).end());
      const reg = await basicRegistry((req, res) => {
        if (req.method === 'GET' && req.url.startsWith('/v2/src/blobs/')) {
          res.writeHead(200, { 'content-length': String(blob.length) }).end(blob);
        } else if (req.method === 'POST' && req.url.startsWith('/v2/dst/blobs/uploads/')) {
          res.writeHead(202, { location: `http://${storage.host}/upload/session-1?state=x` }).end();
        } else return false;
        return true;
      });
      const c = client({ [reg.host]: credentialsOf('basic') });
      await copyBlob(c.http, {
        from: { registry: reg.host, repository: 'src' },
        to: { registry: reg.host, repository: 'dst' },
        digest: sha(blob),
        size: blob.length,
      });
      assert.equal(storage.seen.length, 1);
      assert.equal(storage.seen[0]?.method, 'PUT');
      assert.equal(storage.seen[0]?.body, blob.toString());
      assert.equal(storage.seen[0]?.authorization, undefined, 'no Authorization to the other port');
      assert.ok(
        reg.seen.some((r) => r.authorization === basicAuth),
        'the registry itself got them',
      );
    });

    it('a 401 from the Location host does not make the client sign in there', async () => {
      let storageHost = '';
      const storage = await serve((req, res) => {
        if (req.url.startsWith('/token')) return res.writeHead(200).end('{"token":"issued-token"}');
        res
          .writeHead(401, { 'www-authenticate': `Bearer realm="http://${storageHost}/token",service="s"` })
          .end();
      });
      storageHost = storage.host;
      const reg = await basicRegistry((req, res) => {
        if (req.method === 'GET') res.writeHead(200, { 'content-length': String(blob.length) }).end(blob);
        else if (req.method === 'POST')
          res.writeHead(202, { location: `http://${storage.host}/upload/session-2` }).end();
        else if (req.method === 'DELETE') res.writeHead(204).end();
        else return false;
        return true;
      });
      await assert.rejects(
        copyBlob(client({ [reg.host]: credentialsOf('basic') }).http, {
          from: { registry: reg.host, repository: 'src' },
          to: { registry: reg.host, repository: 'dst' },
          digest: sha(blob),
          size: blob.length,
        }),
        (err: unknown) => err instanceof RegistryError && err.details.status === 401,
      );
      assert.deepEqual(
        storage.seen.filter((r) => r.url.startsWith('/token')),
        [],
      );
      assert.deepEqual(leaks(storage), []);
    });

    it('a paging Link naming another port is read without the credentials', async () => {
      const other = await serve((_req, res) => res.writeHead(200).end(JSON.stringify({ tags: ['c'] })));
      const reg = await basicRegistry((req, res) => {
        if (!req.url.startsWith('/v2/app/tags/list')) return false;
        res
          .writeHead(200, {
            'content-type': 'application/json',
            link: `<http://${other.host}/v2/app/tags/list?last=b&n=2>; rel="next"`,
          })
          .end(JSON.stringify({ tags: ['a', 'b'] }));
        return true;
      });
      const tags = await listTags(client({ [reg.host]: credentialsOf('basic') }).http, {
        registry: reg.host,
        repository: 'app',
      });
      assert.deepEqual(tags, ['a', 'b', 'c']);
      assert.deepEqual(
        other.seen.map((r) => `${r.method} ${r.url} ${r.authorization ?? '-'}`),
        ['GET /v2/app/tags/list?last=b&n=2 -'],
      );
    });

    it('a blob GET redirected to another port (storage) follows without the Authorization header', async () => {
      const storage = await serve((_req, res) =>
        res.writeHead(200, { 'content-length': String(blob.length) }).end(blob),
      );
      let uploaded = '';
      const reg = await basicRegistry((req, res) => {
        if (req.method === 'GET' && req.url.startsWith('/v2/src/blobs/')) {
          res.writeHead(307, { location: `http://${storage.host}/storage/blob?sig=abc` }).end();
        } else if (req.method === 'POST') {
          res.writeHead(202, { location: '/v2/dst/blobs/uploads/s1' }).end();
        } else if (req.method === 'PUT') {
          uploaded = req.body;
          res.writeHead(201).end();
        } else return false;
        return true;
      });
      await copyBlob(client({ [reg.host]: credentialsOf('basic') }).http, {
        from: { registry: reg.host, repository: 'src' },
        to: { registry: reg.host, repository: 'dst' },
        digest: sha(blob),
        size: blob.length,
      });
      assert.equal(uploaded, blob.toString(), 'the redirected blob was copied');
      assert.deepEqual(
        storage.seen.map((r) => `${r.method} ${r.url} ${r.authorization ?? '-'}`),
        ['GET /storage/blob?sig=abc -'],
      );
    });
  });
});
