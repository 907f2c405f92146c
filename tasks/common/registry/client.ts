// The registry client: one per run, shared across registries. It wires the HTTP foundation, the
// sign-in and the registry HTTP layer that the manifest, blob, tag and referrer calls take, and
// counts every request in `stats`.
import type { Logger, SecretRegistry } from '../log';
import { Authenticator } from './auth';
import type { CredentialResolver } from './credential';
import { Endpoints } from './endpoints';
import type { RepositoryLocation } from './reference';
import type { RepositoryRight } from './registryError';
import { RegistryHttp, accessScopes } from './registryHttp';
import { retryPolicy, type RetryPolicy } from '../net/retry';
import { RequestStats } from './stats';
import { toolSignIn, type ToolLogin } from './toolSignIn';
import { Transport, type TransportOptions } from '../net/transport';

export interface RegistryClientOptions {
  readonly credentials: CredentialResolver;
  /** Hosts (host, host:port or IPv4 CIDR) that may use plain HTTP; loopback hosts always may. */
  readonly insecureRegistries?: readonly string[];
  readonly transport?: TransportOptions;
  readonly logger: Logger;
  readonly secrets: SecretRegistry;
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Largest blob sent in one PUT and the chunk size above that (default: every blob in one streamed
   * PUT; 16 MiB chunks once the registry asks for chunks or a whole upload failed).
   */
  readonly uploadChunkBytes?: number;
}

/** What a run will do in a repository: read it, write (and read) it, or change ACR attributes. */
export interface RepositoryAccess extends RepositoryLocation {
  readonly access: RepositoryRight;
}

export class RegistryClient {
  readonly stats = new RequestStats();
  /** The registry HTTP layer every call module (manifests, blobs, tags, referrers) takes. */
  readonly http: RegistryHttp;
  /** Registry -> whether it serves the referrers API (learnt from the first answer). */
  readonly referrersApi = new Map<string, boolean>();
  private readonly transport: Transport;
  private readonly auth: Authenticator;
  private readonly endpoints: Endpoints;

  constructor(options: RegistryClientOptions) {
    const retry = retryPolicy(options.retry);
    this.transport = new Transport(options.transport ?? {}, retry, options.logger);
    this.endpoints = new Endpoints(options.insecureRegistries);
    this.auth = new Authenticator({
      credentials: options.credentials,
      transport: this.transport,
      secrets: options.secrets,
      logger: options.logger,
      stats: this.stats,
      endpoints: this.endpoints,
    });
    this.http = new RegistryHttp(this.transport, this.auth, this.endpoints, this.stats, {
      logger: options.logger,
      retry,
      ...(options.uploadChunkBytes !== undefined ? { uploadChunkBytes: options.uploadChunkBytes } : {}),
    });
  }

  /**
   * The repositories the run will read or write, so that the first token of each registry covers
   * all of them (one token request per registry, not one per repository).
   */
  declareAccess(needs: readonly RepositoryAccess[]): void {
    const byRegistry = new Map<string, string[]>();
    for (const need of needs) {
      byRegistry.set(need.registry, [
        ...(byRegistry.get(need.registry) ?? []),
        ...accessScopes(need.repository, need.access),
      ]);
    }
    for (const [registry, scopes] of byRegistry) this.auth.declareScopes(registry, scopes);
  }

  /**
   * The user name and password a tool logs in to `host` with (helm registry login), from this
   * client's sign-in: the same credential, realm rule and ACR exchange; undefined for anonymous.
   */
  toolLogin(host: string): Promise<ToolLogin | undefined> {
    const deps = { auth: this.auth, transport: this.transport };
    return toolSignIn(deps, host, this.endpoints.isInsecure(host));
  }

  /** Closes idle connections. */
  close(): void {
    this.transport.close();
  }
}
