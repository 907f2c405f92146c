// Blobs: existence, cross-repository mounts and streamed copies (never whole in memory, never on
// disk), hashed on the way and verified.
import { pipeline } from 'node:stream';
import { VerifyingStream } from './digest';
import { answerError, isHtml } from '../net/remoteAnswer';
import { RegistryError, answerSource } from './registryError';
import type { RegistryHttp } from './registryHttp';
import { backoffDelay, isRetryableStatus, sleep, type RetryPolicy } from './retry';
import { discard } from './transport';
import { repositoryScope } from './challenge';

export interface RepositoryLocation {
  readonly registry: string;
  readonly repository: string;
}

export type MountResult = { readonly mounted: true } | { readonly mounted: false; readonly uploadUrl?: URL };

const pull = (repo: string): string => repositoryScope(repo, 'pull');
const push = (repo: string): string => repositoryScope(repo, 'push,pull');

export async function hasBlob(http: RegistryHttp, at: RepositoryLocation, digest: string): Promise<boolean> {
  const res = await http.call({
    ...at,
    operation: 'check blob',
    subject: digest,
    access: 'pull',
    method: 'HEAD',
    path: `/v2/${at.repository}/blobs/${digest}`,
    scopes: [pull(at.repository)],
    ok: [200, 404],
  });
  discard(res.body);
  return res.status === 200;
}

/**
 * `POST ?mount=&from=`: 201 mounted; 202 not mounted, with the upload session it opened; a
 * 401/403/404 (registries that refuse mounts, or a token without pull on `from`) not mounted.
 */
export async function tryMount(
  http: RegistryHttp,
  to: RepositoryLocation,
  digest: string,
  fromRepository: string,
): Promise<MountResult> {
  try {
    const res = await http.call({
      ...to,
      operation: 'mount blob',
      subject: `${digest} from ${fromRepository}`,
      access: 'push',
      method: 'POST',
      path: `/v2/${to.repository}/blobs/uploads/`,
      query: { mount: digest, from: fromRepository },
      headers: { 'content-length': '0' },
      scopes: [push(to.repository), pull(fromRepository)],
      ok: [201, 202],
    });
    discard(res.body);
    if (res.status === 201) return { mounted: true };
    const location = res.headers.location;
    return location ? { mounted: false, uploadUrl: new URL(location, res.url) } : { mounted: false };
  } catch (err) {
    const status = err instanceof RegistryError ? err.details.status : undefined;
    if (status === 401 || status === 403 || status === 404) return { mounted: false };
    throw err;
  }
}

/** Cancels an upload session (best effort: a stale session expires on its own). */
export async function cancelUpload(
  http: RegistryHttp,
  to: RepositoryLocation,
  uploadUrl: URL,
): Promise<void> {
  try {
    const res = await http.call({
      ...to,
      operation: 'cancel upload',
      access: 'push',
      method: 'DELETE',
      path: uploadUrl,
      scopes: [push(to.repository)],
      ok: [200, 202, 204, 404],
      retry: false,
    });
    discard(res.body);
  } catch {
    // ignored: nothing depends on the cancel
  }
}

async function startUpload(http: RegistryHttp, to: RepositoryLocation, digest: string): Promise<URL> {
  const res = await http.call({
    ...to,
    operation: 'start blob upload',
    subject: digest,
    access: 'push',
    method: 'POST',
    path: `/v2/${to.repository}/blobs/uploads/`,
    headers: { 'content-length': '0' },
    scopes: [push(to.repository)],
    ok: [202],
  });
  discard(res.body);
  const location = res.headers.location;
  if (!location) {
    throw new RegistryError(`The registry ${to.registry} opened a blob upload without a Location header.`, {
      ...to,
      operation: 'start blob upload',
      access: 'push',
    });
  }
  return new URL(location, res.url);
}

export interface BlobCopy {
  readonly from: RepositoryLocation;
  readonly to: RepositoryLocation;
  readonly digest: string;
  readonly size: number;
  /** Byte deltas as they flow (negative when a failed attempt is rolled back). */
  readonly onProgress?: (deltaBytes: number) => void;
  /** An upload session already opened (by a mount answered 202). */
  readonly uploadUrl?: URL;
}

/** Streams a blob from one repository to another: GET -> hash -> monolithic PUT ?digest=. */
export async function copyBlob(http: RegistryHttp, copy: BlobCopy, retry: RetryPolicy): Promise<void> {
  let uploadUrl = copy.uploadUrl;
  for (let attempt = 0; ; attempt++) {
    const target = uploadUrl ?? (await startUpload(http, copy.to, copy.digest));
    uploadUrl = undefined;
    let counted = 0;
    let verifier: VerifyingStream | undefined;
    let sourceType: string | undefined;
    try {
      await putStream(
        http,
        copy,
        target,
        (stream, contentType) => {
          verifier = stream;
          sourceType = contentType;
        },
        (n) => {
          counted += n;
          copy.onProgress?.(n);
        },
      );
      return;
    } catch (err) {
      copy.onProgress?.(-counted);
      const status = err instanceof RegistryError ? err.details.status : undefined;
      const transient = status === undefined || isRetryableStatus(status);
      await cancelUpload(http, copy.to, target);
      const failure = verifier?.failure;
      if (failure) {
        throw new RegistryError(
          `The blob ${copy.digest} read from ${copy.from.registry}/${copy.from.repository} is not what its digest says (${failure})` +
            (isHtml('', sourceType)
              ? `: the registry answered an HTML page (Content-Type ${sourceType}), typically from a proxy or gateway in front of it`
              : '') +
            '; nothing was written for it.',
          { ...copy.from, operation: 'read blob', access: 'pull', subject: copy.digest },
        );
      }
      if (!transient || attempt >= retry.maxRetries) throw err;
      await sleep(backoffDelay(attempt, retry));
    }
  }
}

async function putStream(
  http: RegistryHttp,
  copy: BlobCopy,
  uploadUrl: URL,
  onVerifier: (v: VerifyingStream, contentType: string | undefined) => void,
  onBytes: (n: number) => void,
): Promise<void> {
  const url = new URL(uploadUrl);
  url.searchParams.set('digest', copy.digest);
  const fromCounters = http.stats.of(copy.from.registry);
  const toCounters = http.stats.of(copy.to.registry);
  let sent = 0;
  const res = await http.call({
    ...copy.to,
    operation: 'upload blob',
    subject: copy.digest,
    access: 'push',
    method: 'PUT',
    path: url,
    headers: { 'content-type': 'application/octet-stream', 'content-length': String(copy.size) },
    scopes: [push(copy.to.repository)],
    ok: [201, 204],
    retry: false,
    body: async () => {
      onBytes(-sent); // a re-created body (after a 401) starts over
      sent = 0;
      const read = {
        ...copy.from,
        operation: 'read blob',
        subject: copy.digest,
        access: 'pull',
      } as const;
      const source = await http.call({
        ...read,
        method: 'GET',
        path: `/v2/${copy.from.repository}/blobs/${copy.digest}`,
        scopes: [pull(copy.from.repository)],
        ok: [200],
      });
      const verifier = new VerifyingStream(copy.digest, copy.size, (n) => {
        sent += n;
        fromCounters.bytesDownloaded += n;
        toCounters.bytesUploaded += n;
        onBytes(n);
      });
      onVerifier(verifier, source.headers['content-type']);
      // A source answer cut off is the source's failure, not the upload's: listening before
      // pipeline() makes this error the one the upload request is destroyed with.
      source.body.once('error', (err) => {
        const cut = `the connection closed after ${sent} of the ${copy.size} bytes of the blob, so it arrived incomplete`;
        verifier.destroy(answerError(answerSource(read), cut, err));
      });
      return pipeline(source.body, verifier, () => undefined);
    },
  });
  discard(res.body);
}
