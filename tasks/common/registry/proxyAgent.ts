// HTTPS through an HTTP proxy: a keep-alive https.Agent whose sockets are CONNECT tunnels.
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

export interface ProxySettings {
  /** http://host:port of the proxy. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Request URLs (or hosts) matching one of these go direct. */
  readonly bypass?: readonly RegExp[];
}

/** `Basic ...` for the proxy's credentials, or undefined without credentials. */
export function proxyAuthorization(proxy: ProxySettings): string | undefined {
  if (!proxy.username) return undefined;
  const pair = `${decodeURIComponent(proxy.username)}:${proxy.password ?? ''}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

export function proxyBypassed(proxy: ProxySettings, url: URL): boolean {
  return (proxy.bypass ?? []).some((re) => re.test(url.href) || re.test(url.host) || re.test(url.hostname));
}

/** An https.Agent that opens each connection as `CONNECT host:port` through the proxy. */
export class TunnelingAgent extends https.Agent {
  private readonly proxyUrl: URL;

  constructor(
    private readonly proxy: ProxySettings,
    options: https.AgentOptions,
  ) {
    super(options);
    this.proxyUrl = new URL(proxy.url);
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = (err: Error | null, stream?: Duplex): void =>
      (callback as ((e: Error | null, s?: Duplex) => void) | undefined)?.(err, stream);
    const host = options.hostname ?? options.host ?? 'localhost';
    const port = Number(options.port ?? 443);
    const authority = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { host: authority };
    const auth = proxyAuthorization(this.proxy);
    if (auth) headers['proxy-authorization'] = auth;
    const connect = http.request({
      host: this.proxyUrl.hostname,
      port: Number(this.proxyUrl.port || 80),
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
    });
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        const err = Object.assign(
          new Error(
            `the proxy ${this.proxyUrl.host} refused to tunnel to ${authority} (HTTP ${res.statusCode})`,
          ),
          { code: res.statusCode === 407 ? 'EPROXYAUTH' : 'EPROXY' },
        );
        done(err);
        return;
      }
      const secure = tls.connect({
        ...(options as tls.ConnectionOptions),
        socket,
        servername: options.servername ?? (host.includes(':') || /^[\d.]+$/.test(host) ? undefined : host),
      } as tls.ConnectionOptions);
      done(null, secure);
    });
    connect.once('error', (err) => done(err));
    connect.end();
    return undefined;
  }
}
