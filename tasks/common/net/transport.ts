// HTTP(S) for registry calls: keep-alive agents, proxy (CONNECT tunnels for https, absolute-form
// for http), extra CA and client certificate, redirects, and retries with backoff.
import http from 'node:http';
import type https from 'node:https';
import { pipeline, type Readable } from 'node:stream';
import type { Logger } from '../log';
import { proxyFor, tlsAgentOptions, type HttpSettings } from './agentNetwork';
import { readAnswer, type AnswerSource } from './remoteAnswer';
import { proxyAuthorization, proxyTunnelAgent } from './proxyTunnelAgent';
import { nodeHttps } from './tlsModules';
import {
  backoffDelay,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  sleep,
  type RetryPolicy,
} from './retry';

/** The agent's network settings (httpSettings()) and the transport's own limits. */
export interface TransportOptions extends HttpSettings {
  /** Socket inactivity limit per request (default 120 s). */
  readonly timeoutMs?: number;
}

/** A request body: bytes, or a factory giving a fresh stream for every attempt. */
export type BodySource = Buffer | (() => Readable | Promise<Readable>);

export interface HttpRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: BodySource;
  /** false: one attempt only (default: retry per the policy). */
  readonly retry?: boolean;
  /** Follow 3xx for GET/HEAD (blob downloads redirect to storage). Default true. */
  readonly followRedirects?: boolean;
  /** Skip certificate checks for this request (Docker's insecure-registry HTTPS attempt). */
  readonly insecureTls?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: http.IncomingHttpHeaders;
  /** The URL that answered (after redirects). */
  readonly url: URL;
  /** Unread; the caller must consume or discard it. */
  readonly body: http.IncomingMessage;
  /** Retries spent before this answer. */
  readonly retries: number;
}

export interface SendHooks {
  /** Called once per attempt (every HTTP request sent). */
  onAttempt?(url: URL): void;
}

/** Thrown after the retries when the network failed; `retries` says how many were spent. */
export class TransportError extends Error {
  constructor(
    cause: unknown,
    readonly retries: number,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * Reads a whole (small) body; beyond `limit` bytes, or cut off before its Content-Length, it fails
 * naming `source` (by default the host that answered).
 */
export function readBody(res: http.IncomingMessage, limit?: number, source?: AnswerSource): Promise<Buffer> {
  const req = (res as { req?: { host?: string; path?: string; method?: string } }).req;
  return readAnswer(
    res,
    source ?? {
      service: req?.host ?? 'The remote service',
      operation: `${req?.method ?? 'GET'} ${req?.path ?? ''}`,
    },
    limit,
  );
}

/** Drops a body so its socket returns to the keep-alive pool. */
export function discard(res: http.IncomingMessage): void {
  res.resume();
}

/** The agents of HTTPS connections, made with the first (node:https is not loaded before). */
interface TlsAgents {
  readonly https: https.Agent;
  readonly insecureHttps: https.Agent;
  readonly tunnel: https.Agent | undefined;
  readonly insecureTunnel: https.Agent | undefined;
}

const KEEP_ALIVE = { keepAlive: true, maxSockets: 32, scheduling: 'lifo' as const };

export class Transport {
  private readonly http = new http.Agent(KEEP_ALIVE);
  private tls: TlsAgents | undefined;
  private readonly timeoutMs: number;

  constructor(
    private readonly options: TransportOptions,
    private readonly retry: RetryPolicy,
    private readonly logger: Logger,
  ) {
    this.timeoutMs = options.timeoutMs ?? 120_000;
  }

  private tlsAgents(): TlsAgents {
    if (this.tls) return this.tls;
    // One secure context for every connection: built per connection, parsing the ~145 bundled
    // roots plus the agent CA costs tens of milliseconds each time.
    const tlsOptions: https.AgentOptions = {
      ...KEEP_ALIVE,
      ...tlsAgentOptions(this.options),
      rejectUnauthorized: this.options.rejectUnauthorized ?? true,
    };
    const insecure = { ...tlsOptions, rejectUnauthorized: false };
    const { Agent } = nodeHttps();
    const proxy = this.options.proxy;
    return (this.tls = {
      https: new Agent(tlsOptions),
      insecureHttps: new Agent(insecure),
      tunnel: proxy ? proxyTunnelAgent(proxy, tlsOptions) : undefined,
      insecureTunnel: proxy ? proxyTunnelAgent(proxy, insecure) : undefined,
    });
  }

  /** Sends with retries; returns the final answer whatever its status. */
  async send(request: HttpRequest, hooks: SendHooks = {}): Promise<HttpResponse> {
    const maxRetries = request.retry === false ? 0 : this.retry.maxRetries;
    for (let retries = 0; ; retries++) {
      let res: { status: number; headers: http.IncomingHttpHeaders; url: URL; body: http.IncomingMessage };
      try {
        res = await this.follow(request, hooks);
      } catch (err) {
        if (retries >= maxRetries || !isRetryableNetworkError(err)) throw new TransportError(err, retries);
        const delay = backoffDelay(retries, this.retry);
        this.logger.debug(
          `${request.method} ${request.url.host}: ${(err as Error).message}; retrying in ${delay} ms`,
        );
        await sleep(delay);
        continue;
      }
      if (retries < maxRetries && isRetryableStatus(res.status)) {
        const header = res.headers['retry-after'];
        const delay = parseRetryAfter(header, this.retry.maxDelayMs) ?? backoffDelay(retries, this.retry);
        discard(res.body);
        this.logger.debug(
          `${request.method} ${request.url.host}: HTTP ${res.status}; retrying in ${delay} ms`,
        );
        await sleep(delay);
        continue;
      }
      return { ...res, retries };
    }
  }

  /** Closes idle keep-alive sockets. */
  close(): void {
    const tls = this.tls;
    for (const agent of [this.http, tls?.https, tls?.insecureHttps, tls?.tunnel, tls?.insecureTunnel]) {
      agent?.destroy();
    }
  }

  private async follow(request: HttpRequest, hooks: SendHooks) {
    let url = request.url;
    let headers = { ...request.headers };
    const canFollow =
      request.followRedirects !== false && (request.method === 'GET' || request.method === 'HEAD');
    for (let hop = 0; ; hop++) {
      hooks.onAttempt?.(url);
      const body = await this.once({ ...request, url, headers });
      const location = body.headers.location;
      if (!canFollow || !REDIRECTS.has(body.statusCode ?? 0) || !location || hop >= MAX_REDIRECTS) {
        return { status: body.statusCode ?? 0, headers: body.headers, url, body };
      }
      discard(body);
      const next = new URL(location, url);
      // Credentials for the registry never go to the storage host it redirects to, nor to
      // another port or scheme of its host.
      if (next.origin !== url.origin) {
        headers = Object.fromEntries(
          Object.entries(headers).filter(([k]) => k.toLowerCase() !== 'authorization'),
        );
      }
      url = next;
    }
  }

  private once(request: HttpRequest): Promise<http.IncomingMessage> {
    const { url } = request;
    const secure = url.protocol === 'https:';
    const proxy = proxyFor(url, this.options.proxy);
    const headers: Record<string, string> = { ...request.headers };
    let options: http.RequestOptions;
    if (proxy && !secure) {
      const proxyUrl = new URL(proxy.url);
      const auth = proxyAuthorization(proxy);
      if (auth) headers['proxy-authorization'] = auth;
      headers['host'] = url.host;
      options = {
        host: proxyUrl.hostname,
        port: Number(proxyUrl.port || 80),
        path: url.href,
        agent: this.http,
      };
    } else {
      let agent: http.Agent | undefined = this.http;
      const tls = secure ? this.tlsAgents() : undefined;
      if (tls && proxy) agent = request.insecureTls ? tls.insecureTunnel : tls.tunnel;
      else if (tls) agent = request.insecureTls ? tls.insecureHttps : tls.https;
      options = {
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || (secure ? 443 : 80),
        path: `${url.pathname}${url.search}`,
        agent,
      };
    }
    const body = request.body;
    if (Buffer.isBuffer(body)) headers['content-length'] = String(body.length);
    return new Promise((resolve, reject) => {
      const req = (secure ? nodeHttps() : http).request({
        ...options,
        method: request.method,
        headers,
      });
      let answered = false;
      // A request body that fails mid-way (its source cut off) aborts the request; Node then
      // reports "socket hang up", so the body's own error is kept to reject with instead.
      let bodyError: Error | undefined;
      req.setTimeout(this.timeoutMs, () => {
        req.destroy(Object.assign(new Error(`no data for ${this.timeoutMs} ms`), { code: 'ETIMEDOUT' }));
      });
      req.once('response', (res) => {
        answered = true;
        resolve(res);
      });
      req.once('error', (err) => {
        if (!answered) reject(bodyError ?? err);
      });
      if (body === undefined) req.end();
      else if (Buffer.isBuffer(body)) req.end(body);
      else {
        Promise.resolve(body()).then(
          (stream) => {
            stream.once('error', (err) => {
              bodyError = err;
            });
            return pipeline(stream, req, (err) => {
              // After an answer (e.g. an early 401) a broken upload is expected; before it the
              // request's own 'error' carries the failure.
              if (err && !answered) req.destroy(err);
            });
          },
          (err: unknown) => req.destroy(err instanceof Error ? err : new Error(String(err))),
        );
      }
    });
  }
}
