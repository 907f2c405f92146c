// Streams a blob from one repository to another, never whole in memory nor on disk. By default a
// blob goes in one streamed PUT whatever its size (one request, no chunk boundaries to wait on);
// with a chunk size set, a blob larger than a chunk goes in PATCH chunks, and so does any blob
// once the registry asks for chunks (413 or 416 to a whole PUT, OCI-Chunk-Min-Length) or once a
// whole PUT failed (chunks can resume). When a request fails mid-way the registry is asked how far
// it got (GET on the session -> Range) and the upload resumes there, the source re-read from that
// byte; a session the registry dropped starts over. The digest is verified over the whole blob
// before its last byte leaves, resumed or not.
import { errorMessage } from '../errors';
import { cancelUpload } from './blobs';
import type { RepositoryLocation } from './reference';
import { blobStart, openBlobReader, type BlobReader, type HashPoint, type SourceBlob } from './blobReader';
import { answerError, isHtml } from '../net/remoteAnswer';
import { RegistryError, answerSource } from './registryError';
import type { RegistryHttp } from './registryHttp';
import {
  backoffDelay,
  isRetryableNetworkError,
  isRetryableStatus,
  sleep,
  type RetryPolicy,
} from '../net/retry';
import {
  completeUpload,
  sendChunk,
  startUpload,
  uploadOffset,
  type UploadSession,
  type UploadTarget,
} from './uploadSession';

/** The chunk size once chunks are needed, when the run sets none. */
export const DEFAULT_CHUNK_BYTES = 16 * 1024 * 1024;
/** Smallest chunk a 413 to a chunk may shrink it to. */
const SMALLEST_CHUNK_BYTES = 256 * 1024;

export interface BlobCopy {
  readonly from: RepositoryLocation;
  readonly to: RepositoryLocation;
  readonly digest: string;
  readonly size: number;
  /** Byte deltas as they flow (negative when bytes the registry did not keep are rolled back). */
  readonly onProgress?: (deltaBytes: number) => void;
  /** An upload session already opened (by a mount answered 202). */
  readonly uploadUrl?: URL;
}

/** The registry reports another offset than the chunks sent add up to. */
class OutOfStep extends Error {}

type Recovery = 'resume' | 'restart' | 'fail';

/**
 * Streams a blob across repositories or registries, verifying size and digest on the way; in
 * chunks when large or asked for (the run's uploadChunkBytes, default DEFAULT_CHUNK_BYTES),
 * resuming where the registry got to after a failure (the run's retry policy).
 */
export function copyBlob(http: RegistryHttp, copy: BlobCopy): Promise<void> {
  return new BlobUpload(http, copy).run();
}

class BlobUpload {
  private readonly target: UploadTarget;
  private readonly blob: SourceBlob;
  private session: UploadSession | undefined;
  private chunkBytes: number;
  private chunked: boolean;
  /** Hash states at offsets the registry confirmed, to resume from. */
  private readonly points: HashPoint[];
  private reader: BlobReader | undefined;
  /** Bytes reported to onProgress so far. */
  private reported = 0;
  /** The current session holds bytes sent before a failure. */
  private resumed = false;

  private readonly retry: RetryPolicy;

  constructor(
    private readonly http: RegistryHttp,
    private readonly copy: BlobCopy,
  ) {
    this.retry = http.retry;
    this.target = { to: copy.to, digest: copy.digest };
    this.blob = { from: copy.from, digest: copy.digest, size: copy.size };
    this.chunkBytes = Math.max(1, http.uploadChunkBytes ?? DEFAULT_CHUNK_BYTES);
    this.chunked = http.uploadChunkBytes !== undefined && copy.size > this.chunkBytes;
    this.points = [blobStart(copy.digest)];
    if (copy.uploadUrl) this.session = { url: new URL(copy.uploadUrl) };
  }

  async run(): Promise<void> {
    try {
      await this.attempts();
    } catch (err) {
      this.closeReader();
      if (this.session) await cancelUpload(this.http, this.copy.to, this.session.url);
      this.progressTo(0);
      throw err;
    }
  }

  private async attempts(): Promise<void> {
    let offset = 0;
    let restarts = 0;
    for (let failures = 0; ;) {
      this.session ??= await startUpload(this.http, this.target);
      const session = this.session;
      if (session.minChunkBytes !== undefined) {
        this.chunked = true;
        this.chunkBytes = Math.max(this.chunkBytes, session.minChunkBytes);
      }
      try {
        await (this.chunked ? this.sendChunks(session, offset) : this.sendWhole(session));
        return;
      } catch (caught) {
        const failure = this.reader?.failure;
        const sourceType = this.reader?.contentType;
        const cutOff = this.reader?.cutOff;
        this.closeReader();
        if (failure) throw this.sourceError(failure, sourceType);
        // The source broke off: the upload failed for it, and the source is read again from
        // where the registry got to; if that never heals, the failure is the source's.
        const err = cutOff ? this.sourceCutError(cutOff.offset, cutOff.error, sourceType) : caught;
        const recovery = cutOff ? 'resume' : this.recovery(err);
        if (recovery === 'fail' || ++failures > this.retry.maxRetries) throw err;
        // A whole PUT that failed is not sent whole again: chunks let the next failure resume.
        if (this.copy.size > this.chunkBytes) this.chunked = true;
        await sleep(backoffDelay(failures - 1, this.retry));
        const at = recovery === 'restart' ? undefined : await uploadOffset(this.http, this.target, session);
        const started = offset;
        if (at === undefined || at > this.copy.size) {
          if (++restarts > this.retry.maxRetries) throw err;
          if (at !== undefined) await cancelUpload(this.http, this.copy.to, session.url);
          this.session = undefined;
          offset = 0;
        } else {
          offset = at;
          if (at > started) failures = 0; // the registry kept what was sent: count failures afresh
          if (at > 0) this.chunked = true;
        }
        this.resumed = offset > 0;
        this.progressTo(offset);
        this.http.logger.debug(
          `Upload of blob ${this.copy.digest} to ${this.copy.to.registry}/${this.copy.to.repository} ` +
            `failed (${errorMessage(err)}); ${offset > 0 ? `resuming at byte ${offset} of ${this.copy.size}` : 'starting over'}.`,
        );
      }
    }
  }

  /** One PUT ?digest= carrying the whole blob. */
  private async sendWhole(session: UploadSession): Promise<void> {
    await completeUpload(this.http, this.target, session, {
      length: this.copy.size,
      body: async () => (await this.readerAt(0)).slice(this.copy.size),
    });
  }

  /** PATCH chunks from `offset`, then an empty PUT ?digest=. */
  private async sendChunks(session: UploadSession, offset: number): Promise<void> {
    const size = this.copy.size;
    for (let at = offset; at < size;) {
      const start = at;
      const length = Math.min(this.chunkBytes, size - start);
      const end = await sendChunk(this.http, this.target, session, start, length, async () =>
        (await this.readerAt(start)).slice(length),
      );
      if (end !== start + length) {
        throw new OutOfStep(
          `the registry reports ${end} bytes after a chunk ending at byte ${start + length}`,
        );
      }
      this.remember(this.reader?.point());
      at = end;
    }
    // The registry had every byte before this attempt sent any: verify them all the same.
    if (!this.points.some((p) => p.offset === size)) this.remember((await this.readerAt(size)).point());
    await completeUpload(this.http, this.target, session);
  }

  /** A reader positioned at `offset`: the current one, or the source re-read from the nearest saved hash. */
  private async readerAt(offset: number): Promise<BlobReader> {
    if (this.reader?.position === offset) return this.reader;
    this.closeReader();
    const base = this.points
      .filter((p) => p.offset <= offset)
      .reduce((best, p) => (p.offset > best.offset ? p : best));
    const reader = await openBlobReader(this.http, this.blob, base, (n) => this.sent(n));
    this.reader = reader;
    await reader.skip(offset - base.offset);
    return reader;
  }

  private recovery(err: unknown): Recovery {
    if (err instanceof OutOfStep) return 'resume';
    if (!(err instanceof RegistryError)) return isRetryableNetworkError(err) ? 'resume' : 'fail';
    const { status, code, operation } = err.details;
    if (status === undefined) return 'resume';
    const upload = operation !== 'read blob';
    if (upload && (status === 413 || status === 416)) {
      if (!this.chunked) {
        this.chunked = true; // the registry asks for chunks
        return 'resume';
      }
      if (status === 416) return 'resume'; // a chunk out of step: the registry says where it is
      const smallest = Math.max(SMALLEST_CHUNK_BYTES, this.session?.minChunkBytes ?? 0);
      if (this.chunkBytes <= smallest) return 'fail';
      this.chunkBytes = Math.max(smallest, Math.floor(this.chunkBytes / 2)); // the chunk was too large
      return 'resume';
    }
    if (upload && status === 404 && code === 'BLOB_UPLOAD_UNKNOWN') return 'restart';
    // A resumed session that refuses the completed blob holds bytes we did not send: start over.
    if (upload && status === 400 && this.resumed && code !== undefined && RESUME_REFUSED.has(code)) {
      return 'restart';
    }
    return isRetryableStatus(status) ? 'resume' : 'fail';
  }

  private remember(point: HashPoint | undefined): void {
    if (point && !this.points.some((p) => p.offset === point.offset)) this.points.push(point);
  }

  private sent(count: number): void {
    this.reported += count;
    this.http.stats.of(this.copy.to.registry).bytesUploaded += count;
    this.copy.onProgress?.(count);
  }

  private progressTo(offset: number): void {
    if (offset !== this.reported) this.copy.onProgress?.(offset - this.reported);
    this.reported = offset;
  }

  private closeReader(): void {
    this.reader?.close();
    this.reader = undefined;
  }

  private sourceError(failure: string, contentType: string | undefined): RegistryError {
    const { from, digest } = this.copy;
    const html = htmlNote(contentType);
    return new RegistryError(
      `The blob ${digest} read from ${from.registry}/${from.repository} is not what its digest says (${failure})${html}; nothing was written for it.`,
      { ...from, operation: 'read blob', access: 'pull', subject: digest },
    );
  }

  private sourceCutError(offset: number, cause: unknown, contentType: string | undefined): Error {
    const read = {
      ...this.copy.from,
      operation: 'read blob',
      access: 'pull',
      subject: this.copy.digest,
    } as const;
    const html = htmlNote(contentType);
    return answerError(
      answerSource(read),
      `the blob arrived incomplete, the answer ending after ${offset} of its ${this.copy.size} bytes${html}`,
      cause,
    );
  }
}

const RESUME_REFUSED = new Set(['DIGEST_INVALID', 'BLOB_UPLOAD_INVALID', 'SIZE_INVALID']);

/** Said after a source failure whose answer was an HTML page (a proxy or gateway answering). */
function htmlNote(contentType: string | undefined): string {
  return isHtml('', contentType)
    ? `: the registry answered an HTML page (Content-Type ${contentType}), typically from a proxy or gateway in front of it`
    : '';
}
