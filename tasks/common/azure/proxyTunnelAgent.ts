import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';

export interface TunnelProxy {
  /** `http://host:port` of the forward proxy. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

/**
 * An HTTPS agent that reaches every host through an HTTP forward proxy with CONNECT, then speaks
 * TLS end to end with the target using this agent's TLS options (CA, client certificate,
 * rejectUnauthorized), so a corporate proxy and a private CA work together (the Azure SDK's own
 * proxy support drops TLS options when a proxy is set).
 */
export class ProxyTunnelAgent extends https.Agent {
  private readonly proxy: URL;
  private readonly authorization: string | undefined;

  constructor(proxy: TunnelProxy, options: https.AgentOptions = {}) {
    super({ keepAlive: true, ...options });
    // The agent accepts `host:port` as well as `http://host:port`.
    this.proxy = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy.url) ? proxy.url : `http://${proxy.url}`);
    if (this.proxy.protocol !== 'http:') {
      throw new Error(`Proxy ${this.proxy.origin}: only http:// forward proxies are supported.`);
    }
    this.authorization =
      proxy.username !== undefined
        ? `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}`
        : undefined;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, stream: Duplex) => void,
  ): Duplex | null | undefined {
    const done = (err: Error | null, stream?: Duplex) => callback?.(err, stream as Duplex);
    const host = options.hostname ?? options.host ?? 'localhost';
    const port = Number(options.port ?? 443);
    const target = `${host.includes(':') ? `[${host}]` : host}:${port}`;
    const headers: http.OutgoingHttpHeaders = { host: target };
    if (this.authorization) headers['proxy-authorization'] = this.authorization;
    const connect = http.request({
      host: this.proxy.hostname,
      port: Number(this.proxy.port || 80),
      method: 'CONNECT',
      path: target,
      headers,
      agent: false,
    });
    connect.once('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        const reason = res.statusCode === 407 ? ' (proxy authentication required or rejected)' : '';
        done(new Error(`Proxy ${this.proxy.origin} refused CONNECT ${target}: ${res.statusCode}${reason}`));
        return;
      }
      const secure = tls.connect({ ...(options as tls.ConnectionOptions), socket });
      done(null, secure);
    });
    connect.once('error', (err) => done(new Error(`Proxy ${this.proxy.origin} unreachable: ${err.message}`)));
    connect.end();
    return undefined;
  }
}
