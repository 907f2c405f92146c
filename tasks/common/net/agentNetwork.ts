// The agent's network settings, and the one builder turning them into what every HTTP client of
// the library needs: the registry transport (and through it Helm's sign-in, ARM and Kubernetes
// calls) and the Azure SDK (Entra ID, Key Vault); agent/devOpsRequestOptions.ts gives the same
// settings to azure-devops-node-api.
import fs from 'node:fs';
import type http from 'node:http';
import type https from 'node:https';
import type tls from 'node:tls';
import { UserError } from '../errors';
import { proxyTunnelAgent } from './proxyTunnelAgent';
import { nodeHttps, nodeTls } from './tlsModules';
import { trustedCaPems } from './trustedCas';

/** The agent's proxy (`Agent.ProxyUrl`, `Agent.ProxyUsername`, `Agent.ProxyPassword`, `Agent.ProxyBypassList`). */
export interface ProxySettings {
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** Regular expressions matched (case-insensitively) against the request URL: see isProxyBypassed. */
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

/** A client certificate: a PKCS#12 archive (PFX) or a PEM certificate and key. */
export type ClientCertificate =
  | { readonly pfx: Buffer; readonly passphrase?: string }
  | { readonly cert: string; readonly key: string; readonly passphrase?: string };

/** What an HTTP client needs, with every file read: built by httpSettings(). */
export interface HttpSettings {
  readonly proxy?: ProxySettings;
  /** PEM of extra certificate authorities, trusted in addition to Node's roots and NODE_EXTRA_CA_CERTS. */
  readonly ca?: string;
  /** Trust `ca` alone, not Node's roots (a kubeconfig's certificate-authority-data). */
  readonly caOnly?: boolean;
  readonly clientCert?: ClientCertificate;
  /** false skips certificate checks for every host (the agent's SkipCertValidation). */
  readonly rejectUnauthorized?: boolean;
}

const compiled = new Map<string, RegExp | undefined>();

/** A bypass pattern as the agent compiles it (case-insensitive); undefined for an invalid one. */
export function bypassRegex(pattern: string): RegExp | undefined {
  if (!compiled.has(pattern)) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(pattern, 'i');
    } catch {
      re = undefined;
    }
    compiled.set(pattern, re);
  }
  return compiled.get(pattern);
}

/**
 * The one proxy-bypass rule. Each Agent.ProxyBypassList entry is a regular expression, matched
 * case-insensitively against the whole request URL (as task-lib and typed-rest-client do) and
 * against its `scheme://host[:port]` (what the agent itself matches). An entry that is not a valid
 * regular expression bypasses nothing, as the agent does ("is not a valid Regex, won't bypass
 * proxy"); the agent leaves such entries out of the list it hands to tasks anyway.
 */
export function isProxyBypassed(url: string | URL, bypass: readonly string[]): boolean {
  const forms = [String(url)];
  try {
    forms.push(new URL(url).origin);
  } catch {
    // Not a URL: matched as given.
  }
  return bypass.some((pattern) => {
    const re = bypassRegex(pattern);
    return re !== undefined && forms.some((form) => re.test(form));
  });
}

/** The proxy a request to `url` goes through, or undefined (no proxy, or the URL is bypassed). */
export function proxyFor(url: string | URL, proxy: ProxySettings | undefined): ProxySettings | undefined {
  return proxy && !isProxyBypassed(url, proxy.bypass) ? proxy : undefined;
}

function readFile(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new UserError(`The agent's ${what} ${file} cannot be read (${(err as Error).message}).`);
  }
}

/**
 * The agent's settings with their files read: the CA (Agent.CAInfo), the client certificate as a
 * PFX archive (preferred, as task-lib reports it) or a PEM pair, the passphrase, SkipCertValidation.
 * A file that cannot be read fails naming it. Read once per options object: the registry transport,
 * Helm's sign-in, ARM, Kubernetes and the Azure SDK agents of a run share what was read.
 */
export function httpSettings(network: NetworkOptions): HttpSettings {
  let settings = readSettings.get(network);
  if (!settings) {
    settings = readHttpSettings(network);
    readSettings.set(network, settings);
  }
  return settings;
}

const readSettings = new WeakMap<NetworkOptions, HttpSettings>();

function readHttpSettings(network: NetworkOptions): HttpSettings {
  const t = network.tls;
  let clientCert: ClientCertificate | undefined;
  const passphrase = t?.passphrase ? { passphrase: t.passphrase } : {};
  if (t?.certArchiveFile) {
    clientCert = { pfx: readFile(t.certArchiveFile, 'client certificate archive'), ...passphrase };
  } else if (t?.certFile) {
    if (!t.keyFile) {
      throw new UserError(
        `The agent's client certificate ${t.certFile} (Agent.ClientCert) comes without its private key ` +
          '(Agent.ClientCertKey): configure the agent with --sslclientcertkey, or with --sslclientcertarchive.',
      );
    }
    clientCert = {
      cert: readFile(t.certFile, 'client certificate').toString('utf8'),
      key: readFile(t.keyFile, 'client key').toString('utf8'),
      ...passphrase,
    };
  }
  return {
    ...(network.proxy ? { proxy: network.proxy } : {}),
    ...(t?.caFile ? { ca: readFile(t.caFile, 'CA file (Agent.CAInfo)').toString('utf8') } : {}),
    ...(clientCert ? { clientCert } : {}),
    ...(t?.skipCertValidation ? { rejectUnauthorized: false } : {}),
  };
}

/**
 * TLS options for Node agents. An extra CA is added to Node's bundled roots and to
 * NODE_EXTRA_CA_CERTS (a `ca` option alone would replace both).
 */
export function tlsAgentOptions(settings: HttpSettings): https.AgentOptions | undefined {
  const context: tls.SecureContextOptions = { ...settings.clientCert };
  if (settings.ca) context.ca = settings.caOnly ? [settings.ca] : trustedCaPems(settings.ca);
  const options: https.AgentOptions = {};
  // Built once: a context per connection re-parses every root certificate (about 1.4 s for 16
  // concurrent first connections was measured).
  if (Object.keys(context).length > 0) options.secureContext = nodeTls().createSecureContext(context);
  if (settings.rejectUnauthorized === false) options.rejectUnauthorized = false;
  return Object.keys(options).length > 0 ? options : undefined;
}

/**
 * Node agents honouring the agent's proxy and certificate settings, one per route, reused across
 * requests. `agentFor` answers undefined where Node's defaults already do the right thing.
 * Plain-http URLs (the managed identity endpoint on 169.254.169.254 or localhost) never go
 * through the proxy.
 */
export class AgentHttpAgents {
  private readonly proxy: ProxySettings | undefined;
  private readonly tlsOptions: https.AgentOptions | undefined;
  private direct: https.Agent | undefined;
  private tunnel: https.Agent | undefined;

  constructor(network: NetworkOptions) {
    const settings = httpSettings(network);
    this.proxy = settings.proxy;
    this.tlsOptions = tlsAgentOptions(settings);
  }

  agentFor(url: string): http.Agent | undefined {
    if (!url.toLowerCase().startsWith('https:')) return undefined;
    const proxy = proxyFor(url, this.proxy);
    if (proxy) {
      this.tunnel ??= proxyTunnelAgent(proxy, this.tlsOptions);
      return this.tunnel;
    }
    if (!this.tlsOptions) return undefined;
    this.direct ??= new (nodeHttps().Agent)({ keepAlive: true, ...this.tlsOptions });
    return this.direct;
  }

  destroy(): void {
    this.direct?.destroy();
    this.tunnel?.destroy();
  }
}
