// The registry client: manifests, tags, blobs and referrers over the OCI distribution API.
// One per run, shared across registries; counts every request in `stats`.
import type { Logger, SecretRegistry } from '../log';
import { Authenticator, type CredentialResolver } from './auth';
import * as blobs from './blobs';
import { BlobLocations } from '../copy/blobTransfer';
import { copyBlob } from './blobUpload';
import type { MountResult, RepositoryLocation } from './blobs';
import { repositoryScope } from './challenge';
import { digestOf, digestProblem } from './digest';
import { Endpoints } from './endpoints';
import { parseJsonAnswer, stopsMidJson } from '../net/remoteAnswer';
import { manifestFromJson, verifiedManifestDigest, type ParsedManifest } from './manifest';
import { MANIFEST_ACCEPT, bareMediaType, isManifestType } from './mediaTypes';
import type { ImageReference } from './reference';
import { findReferrers, referrersFromApi, type Referrers } from './referrers';
import { listTags } from './tags';
import type { Descriptor } from './manifest';
import { RegistryError, answerSource } from './registryError';
import { RegistryHttp } from './registryHttp';
import { retryPolicy, type RetryPolicy } from '../net/retry';
import { RequestStats } from './stats';
import { toolSignIn, type ToolLogin } from './toolSignIn';
import { Transport, discard, type TransportOptions } from '../net/transport';

/** Reads again of a manifest answer that arrived cut short. */
const MANIFEST_REREADS = 2;

/** Asked for by digest and not matching it, or JSON that stops: a manifest answer cut short. */
function looksCutShort(body: Buffer, reference: string): boolean {
  return isDigest(reference) ? digestOf(body, reference) !== reference : stopsMidJson(body);
}

export interface RegistryClientOptions {
  readonly credentials: CredentialResolver;
  /** Hosts (host, host:port or IPv4 CIDR) that may use plain HTTP; loopback hosts always may. */
  readonly insecureRegistries?: readonly string[];
  readonly transport?: TransportOptions;
  readonly logger: Logger;
  readonly secrets: SecretRegistry;
  readonly retry?: Partial<RetryPolicy>;
  /** Largest blob sent in one PUT and the chunk size above that (default 16 MiB). */
  readonly uploadChunkBytes?: number;
}

export interface ManifestRef {
  readonly registry: string;
  readonly repository: string;
  /** A tag or a digest. */
  readonly reference: string;
}

export interface ResolvedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface FetchedManifest extends ResolvedManifest {
  readonly body: Buffer;
  readonly manifest: ParsedManifest;
}

const pull = (repo: string): string => repositoryScope(repo, 'pull');
const push = (repo: string): string => repositoryScope(repo, 'push,pull');
const isDigest = (reference: string): boolean => reference.includes(':');

function manifestRef(ref: ImageReference | ManifestRef): ManifestRef {
  if ('reference' in ref) return ref;
  return { registry: ref.registry, repository: ref.repository, reference: ref.digest ?? ref.tag ?? 'latest' };
}

export class RegistryClient {
  readonly stats = new RequestStats();
  readonly retry: RetryPolicy;
  private readonly transport: Transport;
  private readonly auth: Authenticator;
  private readonly http: RegistryHttp;
  private readonly endpoints: Endpoints;
  readonly logger: Logger;
  /** Where this run has seen each blob, for mounts instead of uploads. */
  readonly blobLocations = new BlobLocations();
  /** Registry -> whether it serves the referrers API (learnt from the first answer). */
  readonly referrersApi = new Map<string, boolean>();
  private readonly uploadChunkBytes: number | undefined;

  constructor(options: RegistryClientOptions) {
    this.retry = retryPolicy(options.retry);
    this.uploadChunkBytes = options.uploadChunkBytes;
    this.logger = options.logger;
    this.transport = new Transport(options.transport ?? {}, this.retry, options.logger);
    this.endpoints = new Endpoints(options.insecureRegistries);
    this.auth = new Authenticator({
      credentials: options.credentials,
      transport: this.transport,
      secrets: options.secrets,
      logger: options.logger,
      stats: this.stats,
      endpoints: this.endpoints,
    });
    this.http = new RegistryHttp(this.transport, this.auth, this.endpoints, this.stats);
  }

  /**
   * The user name and password a tool logs in to `host` with (helm registry login), from this
   * client's sign-in: the same credential, realm rule and ACR exchange; undefined for anonymous.
   */
  toolLogin(host: string): Promise<ToolLogin | undefined> {
    const deps = { auth: this.auth, transport: this.transport };
    return toolSignIn(deps, host, this.endpoints.isInsecure(host));
  }

  /** Scopes the run will need on a registry, so its first token covers all of them. */
  declareScopes(registry: string, scopes: readonly string[]): void {
    this.auth.declareScopes(registry, scopes);
  }

  /** Digest, media type and size of a manifest: HEAD, or GET and hash when no digest header. */
  async resolve(ref: ImageReference | ManifestRef): Promise<ResolvedManifest> {
    const found = await this.headManifest(manifestRef(ref), true);
    if (!found) throw new Error('unreachable: a missing manifest throws');
    return found;
  }

  /** Like resolve, but undefined when the tag or digest does not exist. */
  async headManifest(ref: ManifestRef, required = false): Promise<ResolvedManifest | undefined> {
    const res = await this.http.call({
      ...this.op(ref, 'read manifest', 'pull'),
      method: 'HEAD',
      path: `/v2/${ref.repository}/manifests/${ref.reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      scopes: [pull(ref.repository)],
      ok: required ? [200] : [200, 404],
    });
    discard(res.body);
    if (res.status === 404) return undefined;
    const header = res.headers['docker-content-digest'];
    const mediaType = bareMediaType(res.headers['content-type']);
    const size = Number(res.headers['content-length'] ?? NaN);
    // A type that is no manifest's (text/html from a proxy) is checked on the body instead.
    if (
      typeof header !== 'string' ||
      digestProblem(header) ||
      !isManifestType(mediaType) ||
      !Number.isFinite(size)
    ) {
      const { digest, mediaType: type, body } = await this.getManifest(ref);
      return { digest, mediaType: type, size: body.length };
    }
    if (
      isDigest(ref.reference) &&
      header !== ref.reference &&
      header.split(':')[0] === ref.reference.split(':')[0]
    ) {
      throw new RegistryError(
        `The registry answered digest ${header} for ${this.where(ref)}.`,
        this.op(ref, 'read manifest', 'pull'),
      );
    }
    return { digest: isDigest(ref.reference) ? ref.reference : header, mediaType, size };
  }

  /** GETs a manifest, hashes the bytes received and parses them. */
  async getManifest(ref: ImageReference | ManifestRef): Promise<FetchedManifest> {
    const at = manifestRef(ref);
    let answer = await this.readManifest(at);
    // An answer cut short but ended cleanly (no Content-Length) shows as a digest that does not
    // match the one asked for, or as JSON that stops: it is asked for again before it is refused.
    for (let again = 0; again < MANIFEST_REREADS && looksCutShort(answer.body, at.reference); again++) {
      this.logger.debug(
        `The manifest ${at.reference} of ${this.where(at)} arrived incomplete; reading it again.`,
      );
      answer = await this.readManifest(at);
    }
    const { res, body } = answer;
    const where = this.where(at);
    const header = res.headers['docker-content-digest'];
    const digest = verifiedManifestDigest(body, {
      ...(isDigest(at.reference) ? { requested: at.reference } : {}),
      ...(typeof header === 'string' ? { header } : {}),
      where,
      onHeaderMismatch: (message) => this.logger.debug(message),
    });
    const contentType = res.headers['content-type'];
    const json = parseJsonAnswer(body, contentType, answerSource(this.op(at, 'read manifest', 'pull')));
    const manifest = manifestFromJson(json, contentType, where);
    return { digest, mediaType: manifest.mediaType, size: body.length, body, manifest };
  }

  private readManifest(at: ManifestRef) {
    return this.http.callForBody(
      {
        ...this.op(at, 'read manifest', 'pull'),
        method: 'GET',
        path: `/v2/${at.repository}/manifests/${at.reference}`,
        headers: { accept: MANIFEST_ACCEPT },
        scopes: [pull(at.repository)],
        ok: [200],
      },
      32 * 1024 * 1024,
    );
  }

  /** PUTs manifest bytes as they are (so the digest is kept); returns the digest. */
  async putManifest(
    registry: string,
    repository: string,
    reference: string,
    body: Buffer,
    mediaType: string,
  ): Promise<string> {
    return (await this.pushManifest(registry, repository, reference, body, mediaType)).digest;
  }

  /**
   * putManifest, also telling whether the registry confirmed the digest of what it stored
   * (Docker-Content-Digest); a different digest fails.
   */
  async pushManifest(
    registry: string,
    repository: string,
    reference: string,
    body: Buffer,
    mediaType: string,
  ): Promise<{ digest: string; confirmed: boolean }> {
    const at = { registry, repository, reference };
    const res = await this.http.call({
      ...this.op(at, 'push manifest', 'push'),
      method: 'PUT',
      path: `/v2/${repository}/manifests/${reference}`,
      headers: { 'content-type': mediaType },
      body,
      scopes: [push(repository)],
      ok: [200, 201],
    });
    discard(res.body);
    const digest = digestOf(body);
    const stored = res.headers['docker-content-digest'];
    const confirmed = typeof stored === 'string' && stored.startsWith('sha256:');
    if (confirmed && stored !== digest) {
      throw new RegistryError(
        `The registry stored ${this.where(at)} with digest ${stored}, not ${digest}: it altered the manifest.`,
        this.op(at, 'push manifest', 'push'),
      );
    }
    return { digest, confirmed };
  }

  async deleteManifest(registry: string, repository: string, digest: string): Promise<void> {
    const at = { registry, repository, reference: digest };
    const res = await this.http.call({
      ...this.op(at, 'delete manifest', 'push'),
      method: 'DELETE',
      path: `/v2/${repository}/manifests/${digest}`,
      scopes: [`repository:${repository}:delete`],
      ok: [200, 202, 204],
    });
    discard(res.body);
  }

  hasBlob(registry: string, repository: string, digest: string): Promise<boolean> {
    return blobs.hasBlob(this.http, { registry, repository }, digest);
  }

  /** true = mounted (201); false = not mounted (202, the session is cancelled; or 401/403). */
  async mountBlob(
    registry: string,
    repository: string,
    digest: string,
    fromRepository: string,
  ): Promise<boolean> {
    const result = await this.tryMount({ registry, repository }, digest, fromRepository);
    if (!result.mounted && result.uploadUrl)
      await blobs.cancelUpload(this.http, { registry, repository }, result.uploadUrl);
    return result.mounted;
  }

  /** A mount that hands back the upload session a 202 opened, for the copy to use. */
  tryMount(to: RepositoryLocation, digest: string, fromRepository: string): Promise<MountResult> {
    return blobs.tryMount(this.http, to, digest, fromRepository);
  }

  /**
   * Streams a blob across repositories or registries, verifying size and digest on the way; in
   * chunks when large or asked for, resuming where the registry got to after a failure.
   */
  copyBlob(
    from: RepositoryLocation,
    to: RepositoryLocation,
    digest: string,
    size: number,
    onProgress?: (deltaBytes: number) => void,
    uploadUrl?: URL,
  ): Promise<void> {
    return copyBlob(
      this.http,
      {
        from,
        to,
        digest,
        size,
        ...(onProgress ? { onProgress } : {}),
        ...(uploadUrl ? { uploadUrl } : {}),
        ...(this.uploadChunkBytes !== undefined ? { chunkBytes: this.uploadChunkBytes } : {}),
        log: (message) => this.logger.debug(message),
      },
      this.retry,
    );
  }

  /** Every tag of a repository (following `Link` pages); [] when the repository does not exist. */
  listTags(registry: string, repository: string): Promise<string[]> {
    return listTags(this.http, { registry, repository });
  }

  /** Referrers of a manifest: the referrers API, else the `sha256-<hex>` tag; plus cosign tags. */
  referrers(
    registry: string,
    repository: string,
    digest: string,
    knownTags?: readonly string[],
  ): Promise<Referrers> {
    return findReferrers(
      { client: this, http: this.http, apiSupport: this.referrersApi },
      { registry, repository },
      digest,
      knownTags,
    );
  }

  /** The referrers API alone: undefined when the registry does not serve it. */
  referrersViaApi(registry: string, repository: string, digest: string): Promise<Descriptor[] | undefined> {
    return referrersFromApi(
      { client: this, http: this.http, apiSupport: this.referrersApi },
      { registry, repository },
      digest,
    );
  }

  /** Closes idle connections. */
  close(): void {
    this.transport.close();
  }

  private where(ref: ManifestRef): string {
    const sep = isDigest(ref.reference) ? '@' : ':';
    return `${ref.registry}/${ref.repository}${sep}${ref.reference}`;
  }

  private op(ref: ManifestRef, operation: string, access: 'pull' | 'push') {
    return { registry: ref.registry, repository: ref.repository, operation, access, subject: ref.reference };
  }
}
