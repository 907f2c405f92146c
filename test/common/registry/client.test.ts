// RegistryClient against small scripted registries, for behaviour distribution 2.8 cannot show:
// the referrers API with pages, tag-list paging, missing digest headers, altered manifests,
// HTTPS on a loopback host with an untrusted certificate.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { UserError } from '../../../tasks/common/errors';
import type { RegistryClient } from '../../../tasks/common/registry/client';
import { OCI_INDEX, OCI_MANIFEST } from '../../../tasks/common/registry/mediaTypes';
import { startHttpsServer } from '../../emulators/httpsServer';
import { testClient } from '../../support/registryTestClient';
import {
  copyBlob,
  findReferrers,
  getManifest,
  imageIn,
  listTags,
  pushManifest,
  findManifest,
} from '../../../tasks/common/registry';

type Route = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => void;

const sha = (b: Buffer | string): string => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
const manifest = Buffer.from(
  JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'c', digest: sha('c'), size: 1 },
    layers: [],
  }),
);
const digest = sha(manifest);

async function scripted(route: Route): Promise<{ host: string; seen: string[]; stop(): Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    seen.push(`${req.method} ${url.pathname}${url.search}`);
    route(req, res, url);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('registry/client: behaviour against scripted registries', () => {
  const stops: (() => Promise<void>)[] = [];
  let client: RegistryClient;
  beforeEach(() => {
    client = testClient();
  });
  afterEach(async () => {
    client.close();
    while (stops.length > 0) await stops.pop()?.();
  });
  const serve = async (route: Route) => {
    const s = await scripted(route);
    stops.push(() => s.stop());
    return s;
  };

  it('lists tags across Link pages', async () => {
    const reg = await serve((_req, res, url) => {
      const last = url.searchParams.get('last');
      const page = last === null ? ['a', 'b'] : last === 'b' ? ['c'] : [];
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (last === null) headers['link'] = '</v2/app/tags/list?last=b&n=2>; rel="next"';
      res.writeHead(200, headers).end(JSON.stringify({ name: 'app', tags: page }));
    });
    assert.deepEqual(await listTags(client.http, { registry: reg.host, repository: 'app' }), ['a', 'b', 'c']);
    assert.deepEqual(reg.seen, ['GET /v2/app/tags/list?n=1000', 'GET /v2/app/tags/list?last=b&n=2']);
  });

  it('asks again when an answer is cut inside its body', async () => {
    let answers = 0;
    const reg = await serve((_req, res) => {
      const body = JSON.stringify({ name: 'app', tags: ['a', 'b'] });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
      if (answers++ === 0) res.write(body.slice(0, 10), () => res.socket?.destroy());
      else res.end(body);
    });
    assert.deepEqual(await listTags(client.http, { registry: reg.host, repository: 'app' }), ['a', 'b']);
    assert.equal(reg.seen.length, 2, 'the cut answer, then the whole one');
  });

  it('asks again when an answer ends cleanly but early (no Content-Length), mid-JSON', async () => {
    let answers = 0;
    const reg = await serve((_req, res) => {
      const body = JSON.stringify({ name: 'app', tags: ['a', 'b'] });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(answers++ === 0 ? body.slice(0, 20) : body);
    });
    assert.deepEqual(await listTags(client.http, { registry: reg.host, repository: 'app' }), ['a', 'b']);
    assert.equal(reg.seen.length, 2, 'the short answer, then the whole one');
  });

  it('a tag list that is not JSON fails naming the registry and repository', async () => {
    const reg = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"name":"app","tags":["a');
    });
    await assert.rejects(listTags(client.http, { registry: reg.host, repository: 'app' }), (err: unknown) => {
      assert.ok(err instanceof UserError);
      assert.match(err.message, new RegExp(`list tags \\(${reg.host}/app\\) failed: .*not JSON`));
      return true;
    });
    assert.equal(reg.seen.length, 4, 'read again 3 times before it is refused');
  });

  it('reads referrers from the API (all pages) and finds cosign tags, remembering the API exists', async () => {
    const ref1 = { mediaType: OCI_MANIFEST, digest: sha('r1'), size: 10, artifactType: 'sbom' };
    const ref2 = { mediaType: OCI_MANIFEST, digest: sha('r2'), size: 11, artifactType: 'sig' };
    const sigTag = `${digest.replace(':', '-')}.sig`;
    const reg = await serve((req, res, url) => {
      if (url.pathname === `/v2/app/referrers/${digest}`) {
        const second = url.searchParams.has('page');
        const headers: Record<string, string> = { 'content-type': OCI_INDEX };
        if (!second) headers['link'] = `</v2/app/referrers/${digest}?page=2>; rel="next"`;
        res
          .writeHead(200, headers)
          .end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [second ? ref2 : ref1] }));
      } else if (url.pathname === '/v2/app/tags/list') {
        res.writeHead(200).end(JSON.stringify({ tags: ['v1', sigTag] }));
      } else if (url.pathname === `/v2/app/manifests/${sigTag}` && req.method === 'HEAD') {
        res
          .writeHead(200, {
            'docker-content-digest': sha('sig'),
            'content-type': OCI_MANIFEST,
            'content-length': '42',
          })
          .end();
      } else res.writeHead(404).end();
    });
    const found = await findReferrers(
      { http: client.http, apiSupport: client.referrersApi },
      { registry: reg.host, repository: 'app' },
      digest,
    );
    assert.equal(found.via, 'api');
    assert.deepEqual(found.descriptors, [ref1, ref2]);
    assert.deepEqual(found.cosign, [{ tag: sigTag, digest: sha('sig'), mediaType: OCI_MANIFEST, size: 42 }]);
    assert.equal(client.referrersApi.get(reg.host), true);
  });

  it('asks a registry of unknown referrers support once when several images ask at once', async () => {
    const reg = await serve((_req, res, url) => {
      if (url.pathname.includes('/referrers/')) res.writeHead(404).end();
      else if (url.pathname.endsWith('/tags/list')) res.writeHead(200).end(JSON.stringify({ tags: ['v1'] }));
      else res.writeHead(404).end();
    });
    const digests = ['a', 'b', 'c', 'd', 'e', 'f'].map((d) => sha(d));
    const found = await Promise.all(
      digests.map((d) =>
        findReferrers(
          { http: client.http, apiSupport: client.referrersApi },
          { registry: reg.host, repository: 'app' },
          d,
        ),
      ),
    );
    found.forEach((f) => assert.equal(f.via, 'none'));
    const probes = reg.seen.filter((s) => s.includes('/referrers/'));
    assert.equal(probes.length, 1, probes.join('\n'));
    assert.equal(client.referrersApi.get(reg.host), false);
  });

  it('resolves with HEAD, and falls back to GET + hash when the registry sends no digest header', async () => {
    let withHeader = true;
    const reg = await serve((req, res) => {
      const headers: Record<string, string> = {
        'content-type': OCI_MANIFEST,
        'content-length': String(manifest.length),
      };
      if (withHeader) headers['docker-content-digest'] = digest;
      res.writeHead(200, headers).end(req.method === 'HEAD' ? undefined : manifest);
    });
    const ref = imageIn({ registry: reg.host, repository: 'app' }, { tag: 'v1' });
    assert.deepEqual(await findManifest(client.http, ref), {
      digest,
      mediaType: OCI_MANIFEST,
      size: manifest.length,
    });
    withHeader = false;
    assert.deepEqual(await findManifest(client.http, ref), {
      digest,
      mediaType: OCI_MANIFEST,
      size: manifest.length,
    });
    assert.deepEqual(reg.seen, [
      'HEAD /v2/app/manifests/v1',
      'HEAD /v2/app/manifests/v1',
      'GET /v2/app/manifests/v1',
    ]);
  });

  it('refuses a manifest whose bytes do not match the digest asked for', async () => {
    const reg = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(Buffer.concat([manifest, Buffer.from(' ')]));
    });
    await assert.rejects(
      getManifest(client.http, imageIn({ registry: reg.host, repository: 'app' }, { digest: digest })),
      (err: unknown) => err instanceof UserError && /not the requested/.test(err.message),
    );
  });

  it('detects a registry that stores a pushed manifest under another digest', async () => {
    const reg = await serve((req, res) => {
      req.resume();
      res.writeHead(201, { 'docker-content-digest': sha('something else') }).end();
    });
    await assert.rejects(
      pushManifest(client.http, imageIn({ registry: reg.host, repository: 'app' }, { tag: 'v1' }), {
        body: manifest,
        mediaType: OCI_MANIFEST,
      }),
      (err: unknown) => err instanceof UserError && /altered the manifest/.test(err.message),
    );
  });

  it('talks HTTPS to a loopback registry without trusting its certificate (Docker insecure rule)', async () => {
    const https = await startHttpsServer((req, res) => {
      res.writeHead(200, {
        'content-type': OCI_MANIFEST,
        'docker-content-digest': digest,
        'content-length': String(manifest.length),
      });
      res.end(req.method === 'HEAD' ? undefined : manifest);
    });
    stops.push(() => https.stop());
    const host = `localhost:${https.port}`;
    assert.equal(
      (await findManifest(client.http, imageIn({ registry: host, repository: 'app' }, { tag: 'v1' })))
        ?.digest,
      digest,
    );
    assert.equal(client.stats.of(host).requests, 1, 'no plain-HTTP retry was needed');
  });

  it('refuses a blob whose bytes do not match its digest: the upload never completes', async () => {
    const blob = Buffer.from('the real layer content');
    const tampered = Buffer.from('the fake layer content');
    const source = await serve((_req, res) =>
      res.writeHead(200, { 'content-length': String(tampered.length) }).end(tampered),
    );
    let completed = 0;
    const target = await serve((req, res, url) => {
      if (req.method === 'POST') {
        res.writeHead(202, { location: '/v2/app/blobs/uploads/session-1' }).end();
        return;
      }
      if (req.method === 'DELETE') {
        res.writeHead(204).end();
        return;
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const ok = sha(Buffer.concat(chunks)) === url.searchParams.get('digest');
        if (ok) completed++;
        res.writeHead(ok ? 201 : 400).end();
      });
    });
    await assert.rejects(
      copyBlob(client.http, {
        from: { registry: source.host, repository: 'app' },
        to: { registry: target.host, repository: 'app' },
        digest: sha(blob),
        size: blob.length,
      }),
      (err: unknown) =>
        err instanceof UserError &&
        /is not what its digest says/.test(err.message) &&
        err.message.includes(source.host),
    );
    assert.equal(completed, 0);
  });

  it('counts requests and bytes per registry', async () => {
    const reg = await serve((req, res) => {
      res.writeHead(200, { 'content-type': OCI_MANIFEST }).end(req.method === 'HEAD' ? undefined : manifest);
    });
    await getManifest(client.http, imageIn({ registry: reg.host, repository: 'app' }, { tag: 'v1' }));
    const counters = client.stats.of(reg.host);
    assert.equal(counters.requests, 1);
    assert.equal(counters.bytesDownloaded, manifest.length);
    assert.equal(client.stats.requests, 1);
  });
});
