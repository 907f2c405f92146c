// Manifests over the API: HEAD (digest, type, size), GET (hashed and parsed), PUT by tag or digest.
import { digestOf, digestProblem } from './digest';
import { parseJsonAnswer, stopsMidJson } from '../net/remoteAnswer';
import { manifestFromJson, verifiedManifestDigest, type ParsedManifest } from './manifest';
import { MANIFEST_ACCEPT, bareMediaType, isManifestType } from './mediaTypes';
import type { ImageReference, RepositoryLocation } from './reference';
import { RegistryError, answerSource } from './registryError';
import type { RegistryHttp } from './registryHttp';
import { RELINKED_BLOB_WAITS_MS, sleep } from '../net/retry';
import { discard } from '../net/transport';

export interface ResolvedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
}

export interface FetchedManifest extends ResolvedManifest {
  readonly body: Buffer;
  readonly manifest: ParsedManifest;
}

const isDigest = (reference: string): boolean => reference.includes(':');

/** What the request names: the digest when the reference has one, else its tag (`latest`). */
const versionOf = (ref: ImageReference): string => ref.digest ?? ref.tag ?? 'latest';

function where(at: RepositoryLocation, reference: string): string {
  return `${at.registry}/${at.repository}${isDigest(reference) ? '@' : ':'}${reference}`;
}

function op(at: RepositoryLocation, reference: string, operation: string, access: 'pull' | 'push') {
  return { registry: at.registry, repository: at.repository, operation, access, subject: reference };
}

/** Asked for by digest and not matching it, or JSON that stops: a manifest answer cut short. */
function looksCutShort(body: Buffer, reference: string): boolean {
  return isDigest(reference) ? digestOf(body, reference) !== reference : stopsMidJson(body);
}

/**
 * Digest, media type and size of a manifest: HEAD, or GET and hash when no digest header;
 * undefined when the tag or digest does not exist.
 */
export async function findManifest(
  http: RegistryHttp,
  ref: ImageReference,
): Promise<ResolvedManifest | undefined> {
  const reference = versionOf(ref);
  const res = await http.call({
    ...op(ref, reference, 'read manifest', 'pull'),
    method: 'HEAD',
    path: `/v2/${ref.repository}/manifests/${reference}`,
    headers: { accept: MANIFEST_ACCEPT },
    ok: [200, 404],
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
    const { digest, mediaType: type, body } = await getManifest(http, ref);
    return { digest, mediaType: type, size: body.length };
  }
  if (isDigest(reference) && header !== reference && header.split(':')[0] === reference.split(':')[0]) {
    throw new RegistryError(
      `The registry answered digest ${header} for ${where(ref, reference)}.`,
      op(ref, reference, 'read manifest', 'pull'),
    );
  }
  return { digest: isDigest(reference) ? reference : header, mediaType, size };
}

/** GETs a manifest, hashes the bytes received and parses them. */
export async function getManifest(http: RegistryHttp, ref: ImageReference): Promise<FetchedManifest> {
  const reference = versionOf(ref);
  const { res, body } = await readManifest(http, ref, reference);
  const header = res.headers['docker-content-digest'];
  const digest = verifiedManifestDigest(body, {
    ...(isDigest(reference) ? { requested: reference } : {}),
    ...(typeof header === 'string' ? { header } : {}),
    where: where(ref, reference),
    onHeaderMismatch: (message) => http.logger.debug(message),
  });
  const contentType = res.headers['content-type'];
  const json = parseJsonAnswer(body, contentType, answerSource(op(ref, reference, 'read manifest', 'pull')));
  const manifest = manifestFromJson(json, contentType, where(ref, reference));
  return { digest, mediaType: manifest.mediaType, size: body.length, body, manifest };
}

function readManifest(http: RegistryHttp, at: RepositoryLocation, reference: string) {
  return http.callForBody(
    {
      ...op(at, reference, 'read manifest', 'pull'),
      method: 'GET',
      path: `/v2/${at.repository}/manifests/${reference}`,
      headers: { accept: MANIFEST_ACCEPT },
      ok: [200],
      // An answer cut short but ended cleanly (no Content-Length) shows as a digest that does not
      // match the one asked for, or as JSON that stops: it is asked for again before it is refused.
      cutShortIf: (body) => looksCutShort(body, reference),
    },
    32 * 1024 * 1024,
  );
}

/**
 * PUTs manifest bytes as they are (so the digest is kept) under the tag or digest of `at`; tells
 * whether the registry confirmed the digest of what it stored (Docker-Content-Digest). A different
 * digest fails.
 */
export async function pushManifest(
  http: RegistryHttp,
  at: ImageReference,
  manifest: { readonly body: Buffer; readonly mediaType: string },
  options: { readonly blobsConfirmed?: boolean } = {},
): Promise<{ digest: string; confirmed: boolean }> {
  const reference = versionOf(at);
  const put = () =>
    http.call({
      ...op(at, reference, 'push manifest', 'push'),
      method: 'PUT',
      path: `/v2/${at.repository}/manifests/${reference}`,
      headers: { 'content-type': manifest.mediaType },
      body: manifest.body,
      ok: [200, 201],
    });
  const res = await (options.blobsConfirmed ? putWhileBlobsRelink(put) : put());
  discard(res.body);
  const digest = digestOf(manifest.body);
  const stored = res.headers['docker-content-digest'];
  const confirmed = typeof stored === 'string' && stored.startsWith('sha256:');
  if (confirmed && stored !== digest) {
    throw new RegistryError(
      `The registry stored ${where(at, reference)} with digest ${stored}, not ${digest}: it altered the manifest.`,
      op(at, reference, 'push manifest', 'push'),
    );
  }
  return { digest, confirmed };
}

const namesUnknownBlob = (err: unknown): boolean =>
  err instanceof RegistryError &&
  err.details.status === 400 &&
  (err.details.codes ?? []).some((code) => code === 'MANIFEST_BLOB_UNKNOWN' || code === 'BLOB_UNKNOWN');

/**
 * A manifest PUT whose blobs the caller has just confirmed in the repository: a refusal naming an
 * unknown blob is another writer re-linking that blob (see RELINKED_BLOB_WAITS_MS), so the PUT is
 * sent again after a short wait; a blob really missing still fails after the last wait.
 */
async function putWhileBlobsRelink<T>(put: () => Promise<T>): Promise<T> {
  for (const wait of RELINKED_BLOB_WAITS_MS) {
    try {
      return await put();
    } catch (err) {
      if (!namesUnknownBlob(err)) throw err;
      await sleep(wait);
    }
  }
  return put();
}
