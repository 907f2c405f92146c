import fs from 'node:fs';
import type http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';
import type { IRequestOptions } from 'azure-devops-node-api/interfaces/common/VsoBaseInterfaces';
import { ProxyTunnelAgent } from './proxyTunnelAgent';
import { trustedCaPems } from './trustedCas';

/** The agent's proxy (`Agent.ProxyUrl`, `Agent.ProxyUsername`, `Agent.ProxyPassword`, `Agent.ProxyBypassList`). */
export interface ProxySettings {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Regular expressions matched (case-insensitively) against the whole request URL, as task-lib does. */
  readonly bypass: readonly string[];
}

/** The agent's certificate settings (`Agent.CAInfo`, `Agent.ClientCert*`, `Agent.SkipCertValidation`). */
export interface TlsSettings {
  readonly caFile?: string;
  readonly certFile?: string;
  readonly keyFile?: string;
  readonly certArchiveFile?: string;
  readonly passphrase?: string;
  readonly skipCertValidation?: boolean;
}

/** How the agent reaches the network; plain data read once by the agent adapter. */
export interface NetworkOptions {
  readonly proxy?: ProxySettings;
  readonly tls?: TlsSettings;
}

export function isProxyBypassed(url: string, bypass: readonly string[]): boolean {
  return bypass.some((pattern) => {
    try {
      return new RegExp(pattern, 'i').test(url);
    } catch {
      return false;
    }
  });
}

/** The proxy a request to `url` goes through, or undefined (no proxy, or the URL is bypassed). */
export function proxyFor(url: string, network: NetworkOptions): ProxySettings | undefined {
  const proxy = network.proxy;
  return proxy && !isProxyBypassed(url, proxy.bypass) ? proxy : undefined;
}

const readText = (file: string) => fs.readFileSync(file, 'utf8');

/**
 * TLS options for Node agents. An agent CA is added to Node's bundled roots and to
 * NODE_EXTRA_CA_CERTS (a `ca` option alone would replace both).
 */
export function tlsAgentOptions(settings: TlsSettings | undefined): https.AgentOptions | undefined {
  if (!settings) return undefined;
  const context: tls.SecureContextOptions = {};
  if (settings.caFile) context.ca = trustedCaPems(readText(settings.caFile));
  if (settings.certArchiveFile) {
    context.pfx = fs.readFileSync(settings.certArchiveFile);
  } else if (settings.certFile) {
    context.cert = readText(settings.certFile);
    if (settings.keyFile) context.key = readText(settings.keyFile);
  }
  if (settings.passphrase) context.passphrase = settings.passphrase;
  const options: https.AgentOptions = {};
  // Built once: a context per connection re-parses every root certificate (about 1.4 s for 16
  // concurrent first connections was measured).
  if (Object.keys(context).length > 0) options.secureContext = tls.createSecureContext(context);
  if (settings.skipCertValidation) options.rejectUnauthorized = false;
  return Object.keys(options).length > 0 ? options : undefined;
}

/**
 * Node agents honouring the agent's proxy and certificate settings, one per route, reused across
 * requests. `agentFor` answers undefined where Node's defaults already do the right thing.
 * Plain-http URLs (the managed identity endpoint on 169.254.169.254 or localhost) never go
 * through the proxy.
 */
export class AgentHttpAgents {
  private readonly tlsOptions: https.AgentOptions | undefined;
  private direct: https.Agent | undefined;
  private tunnel: ProxyTunnelAgent | undefined;

  constructor(private readonly network: NetworkOptions) {
    this.tlsOptions = tlsAgentOptions(network.tls);
  }

  agentFor(url: string): http.Agent | undefined {
    if (!url.toLowerCase().startsWith('https:')) return undefined;
    const proxy = proxyFor(url, this.network);
    if (proxy) {
      this.tunnel ??= new ProxyTunnelAgent(proxy, this.tlsOptions);
      return this.tunnel;
    }
    if (!this.tlsOptions) return undefined;
    this.direct ??= new https.Agent({ keepAlive: true, ...this.tlsOptions });
    return this.direct;
  }

  destroy(): void {
    this.direct?.destroy();
    this.tunnel?.destroy();
  }
}

/** The same settings for azure-devops-node-api (typed-rest-client applies them itself). */
export function devOpsRequestOptions(network: NetworkOptions): IRequestOptions {
  const options: IRequestOptions = {};
  if (network.proxy) {
    options.proxy = {
      proxyUrl: network.proxy.url,
      proxyUsername: network.proxy.username,
      proxyPassword: network.proxy.password,
      proxyBypassHosts: [...network.proxy.bypass],
    };
  }
  const t = network.tls;
  // typed-rest-client takes PEM files only: a client certificate archive (PFX) is not passed on.
  if (t && (t.caFile || t.certFile)) {
    options.cert = { caFile: t.caFile, certFile: t.certFile, keyFile: t.keyFile, passphrase: t.passphrase };
  }
  if (t?.skipCertValidation) options.ignoreSslError = true;
  return options;
}
