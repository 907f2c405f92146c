// One registry API call: scheme, credentials (with one re-authentication after a 401), request
// counting, and a RegistryError for any answer the caller did not expect. The token scopes a call
// needs come from its repository and access, never from the caller.
import type { Logger } from '../log';
import type { Authenticator } from './auth';
import { parseChallenges, repositoryScope } from './challenge';
import type { Endpoints } from './endpoints';
import { isCutOffAnswer, readAnswer } from '../net/remoteAnswer';
import {
  RegistryError,
  answerSource,
  networkError,
  responseError,
  type RegistryOperation,
  type RepositoryRight,
} from './registryError';
import type { RetryPolicy } from '../net/retry';
import type { RequestStats } from './stats';
import { TransportError, type BodySource, type HttpResponse, type Transport } from '../net/transport';
import { CUT_OFF_BODY_RETRIES } from '../net/retry';

export interface RegistryCall extends RegistryOperation {
  readonly method: string;
  /** A path such as `/v2/<repo>/manifests/<ref>`, or an absolute URL (an upload Location). */
  readonly path: string | URL;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: BodySource;
  /** Another repository the call reads (a mount's source): pull on it is asked for too. */
  readonly alsoPulls?: string;
  /** Statuses handed back to the caller; any other answer throws a RegistryError. */
  readonly ok: readonly number[];
  readonly retry?: boolean;
  /**
   * callForBody: a 200 answer whose body this says arrived cut short (JSON that stops) is asked for
   * again like one whose connection broke. For answers that must be JSON.
   */
  readonly cutShortIf?: (body: Buffer) => boolean;
}

const USER_AGENT = 'release-guard (node)';
const ERROR_BODY_LIMIT = 64 * 1024;

/** The run's settings every registry call module reads. */
export interface RegistryHttpSettings {
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  /** Largest blob sent in one PUT and the chunk size above that (default: one streamed PUT, see blobUpload). */
  readonly uploadChunkBytes?: number;
}

/** The token actions each right asks for: writing includes reading. */
const SCOPE_ACTIONS: Readonly<Record<RepositoryRight, string>> = {
  pull: 'pull',
  push: 'push,pull',
  metadata_read: 'metadata_read',
  metadata_write: 'metadata_write,metadata_read',
};

/** The token scopes for `access` to `repository`, and pull on `alsoPulls`. */
export function accessScopes(
  repository: string | undefined,
  access: RepositoryRight,
  alsoPulls?: string,
): string[] {
  const own = repository === undefined ? [] : [repositoryScope(repository, SCOPE_ACTIONS[access])];
  return alsoPulls === undefined ? own : [...own, repositoryScope(alsoPulls, 'pull')];
}

export class RegistryHttp {
  readonly logger: Logger;
  readonly retry: RetryPolicy;
  readonly uploadChunkBytes: number | undefined;

  constructor(
    private readonly transport: Transport,
    private readonly auth: Authenticator,
    private readonly endpoints: Endpoints,
    readonly stats: RequestStats,
    settings: RegistryHttpSettings,
  ) {
    this.logger = settings.logger;
    this.retry = settings.retry;
    this.uploadChunkBytes = settings.uploadChunkBytes;
  }

  /** Sends the call; the answer's body is unread (consume or discard it). */
  async call(call: RegistryCall): Promise<HttpResponse> {
    const scopes = accessScopes(call.repository, call.access, call.alsoPulls);
    let authorization = await this.auth.headerFor(call.registry, scopes);
    for (let reauthenticated = false; ; reauthenticated = true) {
      const res = await this.send(call, authorization);
      if (call.ok.includes(res.status)) return res;
      const body = await this.readCounted(call, res, ERROR_BODY_LIMIT).catch(() => Buffer.alloc(0));
      const challenge = res.headers['www-authenticate'];
      // Only the registry's own answers may say where to sign in: a 401 from another host (an
      // upload Location, a paging Link, a redirect) never makes credentials go anywhere.
      if (res.status === 401 && !reauthenticated && this.isOwnOrigin(call.registry, res.url)) {
        const next = await this.auth.onUnauthorized(call.registry, scopes, challenge, authorization);
        if (next !== undefined && next !== authorization) {
          authorization = next;
          continue;
        }
      }
      // A token the service issued but the registry finds short of the scope: missing rights.
      const insufficient =
        res.status === 401 &&
        authorization?.startsWith('Bearer ') === true &&
        parseChallenges(challenge).some((c) => c.params['error'] === 'insufficient_scope');
      throw responseError(call, res.status, body, res.retries, insufficient);
    }
  }

  /** Sends the call and reads the whole (small) answer. */
  async callForBody(
    call: RegistryCall,
    limit = 16 * 1024 * 1024,
  ): Promise<{ res: HttpResponse; body: Buffer }> {
    for (let retries = 0; ; retries++) {
      const res = await this.call(call);
      if (call.method === 'HEAD') return { res, body: Buffer.alloc(0) };
      const canAgain = call.method === 'GET' && call.retry !== false && retries < CUT_OFF_BODY_RETRIES;
      let body: Buffer;
      try {
        body = await this.readCounted(call, res, limit);
      } catch (err) {
        // An answer cut inside its body: a GET is asked again, as after any other network error;
        // when that does not heal, the failure (naming the registry and the operation) stands.
        if (!isCutOffAnswer(err) || !canAgain) throw err;
        continue;
      }
      // Ended cleanly but early (no Content-Length): only the content tells; asked again too.
      if (canAgain && res.status === 200 && call.cutShortIf?.(body)) continue;
      return { res, body };
    }
  }

  /** The URL of a registry path. */
  url(registry: string, path: string, query?: Readonly<Record<string, string>>): URL {
    const url = new URL(`${this.endpoints.origin(registry)}${path}`);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    return url;
  }

  /** Reads a whole answer; too large or cut off, it fails naming the call. */
  async readCounted(op: RegistryOperation, res: HttpResponse, limit: number): Promise<Buffer> {
    const body = await readAnswer(res.body, answerSource(op), limit);
    this.stats.of(op.registry).bytesDownloaded += body.length;
    return body;
  }

  private isOwnOrigin(registry: string, url: URL): boolean {
    return url.origin === new URL(this.endpoints.origin(registry)).origin;
  }

  private async send(call: RegistryCall, authorization: string | undefined): Promise<HttpResponse> {
    const counters = this.stats.of(call.registry);
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...call.headers };
    const insecureTls = this.endpoints.isInsecure(call.registry);
    for (;;) {
      const url = typeof call.path === 'string' ? this.url(call.registry, call.path, call.query) : call.path;
      // Credentials go only to the registry's own origin (scheme, host and port): an upload
      // Location or a paging Link may name another one (Docker's client does the same).
      if (authorization && this.isOwnOrigin(call.registry, url)) headers['authorization'] = authorization;
      else delete headers['authorization'];
      try {
        const res = await this.transport.send(
          {
            method: call.method,
            url,
            headers,
            insecureTls,
            ...(call.body !== undefined ? { body: call.body } : {}),
            ...(call.retry !== undefined ? { retry: call.retry } : {}),
          },
          { onAttempt: () => counters.requests++ },
        );
        if (Buffer.isBuffer(call.body)) counters.bytesUploaded += call.body.length;
        return res;
      } catch (err) {
        const cause = err instanceof TransportError ? err.cause : err;
        // A failure of the source read inside an upload body is the source's, with its own status.
        if (cause instanceof RegistryError) throw cause;
        // Docker's rule for insecure registries: HTTPS first, plain HTTP when the server speaks it.
        if (
          typeof call.path === 'string' &&
          url.protocol === 'https:' &&
          this.endpoints.downgrade(call.registry, cause)
        ) {
          counters.requests--; // the TLS handshake failed: no HTTP request reached the registry
          continue;
        }
        throw networkError(call, cause, err instanceof TransportError ? err.retries : 0);
      }
    }
  }
}
