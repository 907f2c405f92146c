// HTTPS through an HTTP forward proxy: one agent for every client of the library (registry,
// Azure SDK, Azure DevOps), so a corporate proxy and a private CA work together everywhere.
import http from 'node:http';
import type https from 'node:https';
import type { Duplex } from 'node:stream';
import type tls from 'node:tls';
import { nodeHttps, nodeTls } from './tlsModules';

export interface TunnelProxy {
  /** `http://host:port` (or `host:port`) of the forward proxy. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
}

/** `Basic ...` for the proxy's credentials, or undefined without credentials. */
export function proxyAuthorization(proxy: TunnelProxy): string | undefined {
  if (proxy.username === undefined || proxy.username === '') return undefined;
  const pair = `${proxy.username}:${proxy.password ?? ''}`;
  return `Basic ${Buffer.from(pair, 'utf8').toString('base64')}`;
}

export function proxyUrl(proxy: TunnelProxy): URL {
  const url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(proxy.url) ? proxy.url : `http://${proxy.url}`);
  if (url.protocol !== 'http:')
    throw new Error(`Proxy ${url.origin}: only http:// forward proxies are supported.`);
  return url;
}

type ProxyTunnelAgentClass = new (proxy: TunnelProxy, options?: https.AgentOptions) => https.Agent;
let agentClass: ProxyTunnelAgentClass | undefined;

/**
 * A keep-alive https.Agent whose connections are `CONNECT host:port` tunnels through the proxy;
 * TLS runs end to end with the target using this agent's TLS options (CA, client certificate,
 * rejectUnauthorized). A refusal fails with code EPROXYAUTH (407) or EPROXY.
 */
export function proxyTunnelAgent(proxy: TunnelProxy, options: https.AgentOptions = {}): https.Agent {
  return new (proxyTunnelAgentClass())(proxy, options);
}

/** The class, defined on first use: extending https.Agent at import would load node:https at start. */
export function proxyTunnelAgentClass(): ProxyTunnelAgentClass {
  return (agentClass ??= defineProxyTunnelAgent());
}

const defineProxyTunnelAgent = (): ProxyTunnelAgentClass =>
  class ProxyTunnelAgent extends nodeHttps().Agent {
    private readonly proxy: URL;
    private readonly authorization: string | undefined;

    constructor(proxy: TunnelProxy, options: https.AgentOptions = {}) {
      super({ keepAlive: true, ...options });
      this.proxy = proxyUrl(proxy);
      this.authorization = proxyAuthorization(proxy);
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
          const message = `Proxy ${this.proxy.origin} refused CONNECT ${target}: ${res.statusCode}${reason}`;
          done(Object.assign(new Error(message), { code: res.statusCode === 407 ? 'EPROXYAUTH' : 'EPROXY' }));
          return;
        }
        const isIp = host.includes(':') || /^[\d.]+$/.test(host);
        const secure = nodeTls().connect({
          ...(options as tls.ConnectionOptions),
          socket,
          servername: options.servername ?? (isIp ? undefined : host),
        } as tls.ConnectionOptions);
        done(null, secure);
      });
      connect.once('error', (err) =>
        done(new Error(`Proxy ${this.proxy.origin} unreachable: ${err.message}`)),
      );
      connect.end();
      return undefined;
    }
  };
