// A forward HTTP proxy on 127.0.0.1: CONNECT tunnels (what HTTPS clients use) and absolute-URI
// plain HTTP requests, optional Basic proxy authentication, and a record of every target.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';

export interface ProxiedRequest {
  /** CONNECT for a tunnel, else the forwarded request's method. */
  readonly method: string;
  /** `host:port` of the target. */
  readonly target: string;
  /** Answered 407 for missing or wrong credentials. */
  readonly rejected: boolean;
}

export interface ForwardProxyOptions {
  readonly username?: string;
  readonly password?: string;
  /**
   * Host names the proxy resolves itself (name -> loopback address), as a proxy resolves names its
   * clients cannot: a registry named `registry.example.test` is then reached on 127.0.0.1.
   */
  readonly hosts?: Readonly<Record<string, string>>;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:<port>` (no credentials in it). */
  readonly url: string;
  readonly requests: ProxiedRequest[];
  /** Targets (`host:port`) tunnelled or forwarded, rejected attempts excluded. */
  tunnelledTargets(): string[];
  stop(): Promise<void>;
}

export async function startForwardProxy(options: ForwardProxyOptions = {}): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<net.Socket>();
  const expected =
    options.username !== undefined
      ? `Basic ${Buffer.from(`${options.username}:${options.password ?? ''}`).toString('base64')}`
      : undefined;
  const resolve = (host: string) => options.hosts?.[host.toLowerCase()] ?? host;
  const authorized = (req: http.IncomingMessage) =>
    expected === undefined || req.headers['proxy-authorization'] === expected;

  const server = http.createServer((req, res) => {
    const target = new URL(req.url ?? '/', 'http://invalid');
    const hostPort = `${target.hostname}:${target.port || '80'}`;
    if (!authorized(req)) {
      requests.push({ method: req.method ?? 'GET', target: hostPort, rejected: true });
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test proxy"' }).end();
      return;
    }
    requests.push({ method: req.method ?? 'GET', target: hostPort, rejected: false });
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const upstream = http.request(
      target,
      { method: req.method, headers, hostname: resolve(target.hostname) },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });

  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    const target = req.url ?? '';
    if (!authorized(req)) {
      requests.push({ method: 'CONNECT', target, rejected: true });
      client.end(
        'HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test proxy"\r\n\r\n',
      );
      return;
    }
    requests.push({ method: 'CONNECT', target, rejected: false });
    const sep = target.lastIndexOf(':');
    const upstream = net.connect(
      Number(target.slice(sep + 1)),
      resolve(target.slice(0, sep).replace(/^\[|\]$/g, '')),
      () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length > 0) upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      },
    );
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    tunnelledTargets: () => requests.filter((r) => !r.rejected).map((r) => r.target),
    async stop() {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
