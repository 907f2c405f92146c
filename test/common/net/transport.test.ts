// The transport against local servers: retries and their limits, Retry-After, re-created bodies,
// redirects, HTTPS with an extra CA, and both proxy modes (CONNECT tunnel and absolute-form).
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { silentLogger } from '../../../tasks/common/log';
import { retryPolicy } from '../../../tasks/common/net/retry';
import { Transport, TransportError, readBody, type HttpRequest } from '../../../tasks/common/net/transport';
import { startForwardProxy, type ForwardProxy } from '../../emulators/forwardProxy';
import { startHttpsServer, type RunningHttpsServer } from '../../emulators/httpsServer';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer) => void;

async function startServer(
  handler: Handler,
): Promise<{ url: string; hits: () => number; stop(): Promise<void> }> {
  let hits = 0;
  const server = http.createServer((req, res) => {
    hits++;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const fast = retryPolicy({ maxRetries: 3, baseDelayMs: 5, maxDelayMs: 2000 });

describe('registry/transport', function () {
  const stops: (() => Promise<void>)[] = [];
  let transport: Transport | undefined;
  afterEach(async () => {
    transport?.close();
    transport = undefined;
    while (stops.length > 0) await stops.pop()?.();
  });
  const serve = async (handler: Handler) => {
    const s = await startServer(handler);
    stops.push(() => s.stop());
    return s;
  };
  const send = async (t: Transport, req: HttpRequest) => {
    const res = await t.send(req);
    return { ...res, text: (await readBody(res.body)).toString() };
  };

  it('retries 503 with backoff, then returns the success and how many retries it took', async () => {
    let n = 0;
    const s = await serve((_req, res) => (++n < 3 ? res.writeHead(503).end() : res.end('ok')));
    transport = new Transport({}, fast, silentLogger);
    const res = await send(transport, { method: 'GET', url: new URL(`${s.url}/x`) });
    assert.equal(res.status, 200);
    assert.equal(res.text, 'ok');
    assert.equal(res.retries, 2);
    assert.equal(s.hits(), 3);
  });

  it('gives up after maxRetries and hands back the last answer', async () => {
    const s = await serve((_req, res) => res.writeHead(429).end());
    transport = new Transport({}, fast, silentLogger);
    const res = await send(transport, { method: 'GET', url: new URL(s.url) });
    assert.equal(res.status, 429);
    assert.equal(res.retries, 3);
    assert.equal(s.hits(), 4);
  });

  it('waits as long as Retry-After says (seconds)', async () => {
    let hits = 0;
    const s = await serve((_req, res) => {
      if (++hits === 1) res.writeHead(429, { 'retry-after': '1' }).end();
      else res.end('ok');
    });
    const waits: string[] = [];
    transport = new Transport({}, fast, { ...silentLogger, debug: (m) => waits.push(m) });
    const res = await send(transport, { method: 'GET', url: new URL(s.url) });
    assert.equal(res.status, 200);
    assert.deepEqual(
      waits.map((m) => /retrying in (\d+) ms/.exec(m)?.[1]),
      ['1000'],
      'one wait, of the 1000 ms Retry-After asked (not the 5 ms backoff)',
    );
  });

  it('does not retry a 404 or a 401', async () => {
    const s = await serve((req, res) => res.writeHead(req.url === '/a' ? 404 : 401).end());
    transport = new Transport({}, fast, silentLogger);
    assert.equal((await send(transport, { method: 'GET', url: new URL(`${s.url}/a`) })).status, 404);
    assert.equal((await send(transport, { method: 'GET', url: new URL(`${s.url}/b`) })).status, 401);
    assert.equal(s.hits(), 2);
  });

  it('retries a dropped connection and re-creates a streamed body for each attempt', async () => {
    let n = 0;
    const received: string[] = [];
    const s = await serve((req, res, body) => {
      received.push(body.toString());
      if (++n === 1) req.socket.destroy();
      else res.end('stored');
    });
    transport = new Transport({}, fast, silentLogger);
    let made = 0;
    const res = await send(transport, {
      method: 'PUT',
      url: new URL(s.url),
      body: () => {
        made++;
        return Readable.from([Buffer.from('chunk-1 '), Buffer.from('chunk-2')]);
      },
    });
    assert.equal(res.status, 200);
    assert.equal(made, 2, 'one fresh body per attempt');
    assert.deepEqual(received, ['chunk-1 chunk-2', 'chunk-1 chunk-2']);
  });

  it('throws a TransportError with the retries spent when nothing listens', async () => {
    const s = await serve((_req, res) => res.end());
    const url = new URL(s.url);
    await s.stop();
    stops.pop();
    transport = new Transport({}, fast, silentLogger);
    await assert.rejects(transport.send({ method: 'GET', url }), (err: unknown) => {
      assert.ok(err instanceof TransportError);
      assert.equal(err.retries, 3);
      assert.equal((err.cause as { code?: string }).code, 'ECONNREFUSED');
      return true;
    });
  });

  it('follows a redirect to another host without the Authorization header', async () => {
    const seen: (string | undefined)[] = [];
    const storage = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.end('blob');
    });
    const registry = await serve((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(307, { location: `${storage.url.replace('127.0.0.1', 'localhost')}/blob` }).end();
    });
    transport = new Transport({}, fast, silentLogger);
    const res = await send(transport, {
      method: 'GET',
      url: new URL(registry.url),
      headers: { authorization: 'Bearer t' },
    });
    assert.equal(res.text, 'blob');
    assert.deepEqual(seen, ['Bearer t', undefined]);
  });

  describe('HTTPS and proxies', () => {
    let https: RunningHttpsServer;
    let proxy: ForwardProxy;
    beforeEach(async () => {
      https = await startHttpsServer((req, res) => {
        res.end(`secure ${req.method} ${req.url}`);
      });
      stops.push(() => https.stop());
    });

    it('trusts an extra CA given as PEM, and refuses the server without it', async () => {
      transport = new Transport({ ca: https.caPem }, fast, silentLogger);
      assert.equal(
        (await send(transport, { method: 'GET', url: new URL(`${https.url}/v2/`) })).text,
        'secure GET /v2/',
      );
      const strict = new Transport({}, fast, silentLogger);
      await assert.rejects(strict.send({ method: 'GET', url: new URL(https.url) }), TransportError);
      strict.close();
    });

    it('tunnels HTTPS through an authenticating proxy with CONNECT', async () => {
      proxy = await startForwardProxy({ username: 'proxy-user', password: 'proxy-pass' });
      stops.push(() => proxy.stop());
      transport = new Transport(
        {
          ca: https.caPem,
          proxy: { url: proxy.url, username: 'proxy-user', password: 'proxy-pass', bypass: [] },
        },
        fast,
        silentLogger,
      );
      const res = await send(transport, { method: 'GET', url: new URL(`${https.url}/v2/x`) });
      assert.equal(res.text, 'secure GET /v2/x');
      assert.deepEqual(proxy.requests, [
        { method: 'CONNECT', target: `127.0.0.1:${https.port}`, rejected: false },
      ]);
    });

    it('sends plain HTTP through the proxy in absolute form, and bypasses it when told', async () => {
      proxy = await startForwardProxy();
      stops.push(() => proxy.stop());
      const plain = await serve((req, res) => res.end(`plain ${req.url}`));
      const port = new URL(plain.url).port;
      transport = new Transport({ proxy: { url: proxy.url, bypass: [] } }, fast, silentLogger);
      assert.equal(
        (await send(transport, { method: 'GET', url: new URL(`${plain.url}/v2/`) })).text,
        'plain /v2/',
      );
      assert.deepEqual(proxy.tunnelledTargets(), [`127.0.0.1:${port}`]);
      transport.close();
      transport = new Transport(
        { proxy: { url: proxy.url, bypass: ['127\\.0\\.0\\.1'] } },
        fast,
        silentLogger,
      );
      await send(transport, { method: 'GET', url: new URL(plain.url) });
      assert.equal(proxy.requests.length, 1, 'the bypassed request went direct');
    });

    it('skips an invalid bypass pattern (as the agent does) instead of failing', async () => {
      proxy = await startForwardProxy();
      stops.push(() => proxy.stop());
      const plain = await serve((req, res) => res.end(`plain ${req.url}`));
      transport = new Transport({ proxy: { url: proxy.url, bypass: ['(unclosed'] } }, fast, silentLogger);
      await send(transport, { method: 'GET', url: new URL(plain.url) });
      assert.equal(proxy.requests.length, 1, 'the request went through the proxy');
    });

    it('fails with the proxy named when it refuses the tunnel', async () => {
      proxy = await startForwardProxy({ username: 'u', password: 'p' });
      stops.push(() => proxy.stop());
      transport = new Transport(
        { ca: https.caPem, proxy: { url: proxy.url, bypass: [] } },
        fast,
        silentLogger,
      );
      await assert.rejects(
        transport.send({ method: 'GET', url: new URL(https.url) }),
        /Proxy .* refused CONNECT .*407/,
      );
    });
  });
});
