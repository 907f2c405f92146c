// The blob upload session of the OCI distribution spec: open it (POST), send a chunk (PATCH with
// Content-Range), ask how far the registry got (GET -> Range), complete it (PUT ?digest=).
// Each answer's Location becomes the session's URL: registries keep their state in it.
import type { Readable } from 'node:stream';
import type { RepositoryLocation } from './reference';
import { RegistryError } from './registryError';
import type { RegistryHttp } from './registryHttp';
import { discard, type HttpResponse } from '../net/transport';

export interface UploadSession {
  url: URL;
  /** `OCI-Chunk-Min-Length`: the smallest chunk the registry takes. */
  readonly minChunkBytes?: number;
}

export interface UploadTarget {
  readonly to: RepositoryLocation;
  readonly digest: string;
}

const OCTETS = 'application/octet-stream';

function call(target: UploadTarget, operation: string) {
  return {
    ...target.to,
    operation,
    subject: target.digest,
    access: 'push' as const,
  };
}

export async function startUpload(http: RegistryHttp, target: UploadTarget): Promise<UploadSession> {
  const res = await http.call({
    ...call(target, 'start blob upload'),
    method: 'POST',
    path: `/v2/${target.to.repository}/blobs/uploads/`,
    headers: { 'content-length': '0' },
    ok: [202],
  });
  discard(res.body);
  const location = res.headers.location;
  if (!location) {
    throw new RegistryError(
      `The registry ${target.to.registry} opened a blob upload without a Location header.`,
      call(target, 'start blob upload'),
    );
  }
  const min = Number(res.headers['oci-chunk-min-length']);
  return {
    url: new URL(location, res.url),
    ...(Number.isSafeInteger(min) && min > 0 ? { minChunkBytes: min } : {}),
  };
}

/** PATCHes `length` bytes at `start`; returns the offset the registry reports after them. */
export async function sendChunk(
  http: RegistryHttp,
  target: UploadTarget,
  session: UploadSession,
  start: number,
  length: number,
  body: () => Readable | Promise<Readable>,
): Promise<number> {
  const res = await http.call({
    ...call(target, 'upload blob chunk'),
    method: 'PATCH',
    path: session.url,
    headers: {
      'content-type': OCTETS,
      'content-length': String(length),
      'content-range': `${start}-${start + length - 1}`,
    },
    body,
    ok: [202],
    retry: false,
  });
  discard(res.body);
  follow(session, res);
  return reportedOffset(res.headers.range, start + length) ?? start + length;
}

/** How many bytes the registry holds, or undefined when it no longer knows the session. */
export async function uploadOffset(
  http: RegistryHttp,
  target: UploadTarget,
  session: UploadSession,
): Promise<number | undefined> {
  try {
    const res = await http.call({
      ...call(target, 'check blob upload'),
      method: 'GET',
      path: session.url,
      ok: [200, 204],
    });
    discard(res.body);
    follow(session, res);
    return reportedOffset(res.headers.range, 0) ?? 0;
  } catch (err) {
    // 404 BLOB_UPLOAD_UNKNOWN, or BLOB_UPLOAD_INVALID (distribution 2.8 after a cut chunk left
    // it more bytes than its session state says): the upload must start over.
    if (err instanceof RegistryError && err.details.status !== undefined && err.details.status < 500) {
      return undefined;
    }
    throw err;
  }
}

/** PUT ?digest=: completes the upload, with the blob's last `length` bytes or none. */
export async function completeUpload(
  http: RegistryHttp,
  target: UploadTarget,
  session: UploadSession,
  last?: { readonly length: number; readonly body: () => Readable | Promise<Readable> },
): Promise<void> {
  const url = new URL(session.url);
  url.searchParams.set('digest', target.digest);
  const res = await http.call({
    ...call(target, 'upload blob'),
    method: 'PUT',
    path: url,
    headers: { 'content-type': OCTETS, 'content-length': String(last?.length ?? 0) },
    body: last ? last.body : Buffer.alloc(0),
    ok: [201, 204],
    retry: false,
  });
  discard(res.body);
}

function follow(session: UploadSession, res: HttpResponse): void {
  const location = res.headers.location;
  if (location) session.url = new URL(location, res.url);
}

/**
 * The offset after an upload's `Range: 0-<last byte>` (also `bytes=0-<last byte>`). `0-0` means
 * nothing or one byte (distribution writes it for both): `expected` decides.
 */
export function reportedOffset(header: string | undefined, expected: number): number | undefined {
  const match = /^(?:bytes=)?0-(\d+)$/.exec(header?.trim() ?? '');
  if (!match) return undefined;
  const last = Number(match[1]);
  return last === 0 && expected !== 1 ? 0 : last + 1;
}
