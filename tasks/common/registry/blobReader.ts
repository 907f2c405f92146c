// Reads a source blob for an upload from any offset and hands it out in exact slices, one per
// request body, hashing what it hands out. An upload that resumes half-way re-opens the source
// with a Range request and carries on from the hash state saved at that offset, so the whole
// digest is still verified before the blob's last byte leaves.
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import type { RepositoryLocation } from './reference';
import { digestAlgorithm, digestMismatch } from './digest';
import { RegistryError } from './registryError';
import type { RegistryHttp } from './registryHttp';
import type { HttpResponse } from '../net/transport';

/** The hash of a blob's first `offset` bytes. */
export interface HashPoint {
  readonly offset: number;
  readonly hash: crypto.Hash;
}

export function blobStart(digest: string): HashPoint {
  return { offset: 0, hash: crypto.createHash(digestAlgorithm(digest)) };
}

export interface SourceBlob {
  readonly from: RepositoryLocation;
  readonly digest: string;
  readonly size: number;
}

export interface ReaderCounts {
  /** Bytes read from the source. */
  readonly onRead: (count: number) => void;
  /** Bytes handed out in slices (not the skipped ones). */
  readonly onSent: (count: number) => void;
  /** Leading bytes to drop unhashed (a whole blob sent for a read that asked for a range). */
  readonly drop: number;
}

export class BlobReader {
  private readonly chunks: AsyncIterator<Buffer>;
  private pending: Buffer | undefined;
  private toDrop: number;
  private offset: number;
  private readonly hash: crypto.Hash;
  /** Why the content was refused (wrong size or digest), once it was. */
  failure: string | undefined;
  /** The source's answer broke off (a network error while reading it): worth reading again. */
  cutOff: { readonly offset: number; readonly error: unknown } | undefined;

  constructor(
    private readonly source: Readable,
    from: HashPoint,
    private readonly blob: SourceBlob,
    private readonly counts: ReaderCounts,
    /** The source answer's Content-Type, to tell an HTML page from a blob in messages. */
    readonly contentType?: string,
  ) {
    this.chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    this.toDrop = counts.drop;
    this.offset = from.offset;
    this.hash = from.hash.copy();
  }

  get position(): number {
    return this.offset;
  }

  /** The hash state here, to resume from later. */
  point(): HashPoint {
    return { offset: this.offset, hash: this.hash.copy() };
  }

  /** Hashes the next `length` bytes without handing them out (bytes the registry already has). */
  async skip(length: number): Promise<void> {
    const take = this.take(length);
    while (!(await take.next()).done) {
      // hashed, not sent
    }
  }

  /** A stream of the next `length` bytes. */
  slice(length: number): Readable {
    const take = this.take(length);
    const onSent = this.counts.onSent;
    return Readable.from(
      (async function* () {
        for await (const chunk of take) {
          onSent(chunk.length);
          yield chunk;
        }
      })(),
      { objectMode: false },
    );
  }

  close(): void {
    this.source.destroy();
  }

  private async *take(length: number): AsyncGenerator<Buffer> {
    for (let left = length; left > 0;) {
      let chunk = this.pending ?? (await this.next());
      this.pending = undefined;
      if (chunk.length > left) {
        this.pending = chunk.subarray(left);
        chunk = chunk.subarray(0, left);
      }
      left -= chunk.length;
      this.offset += chunk.length;
      this.hash.update(chunk);
      if (this.offset === this.blob.size) await this.verifyEnd();
      yield chunk;
    }
  }

  /** At the last byte, before it is handed out: nothing more follows and the digest matches. */
  private async verifyEnd(): Promise<void> {
    const more = this.pending?.length ? true : !(await this.chunks.next()).done;
    if (more) throw this.fail(`received more than the expected ${this.blob.size} bytes`);
    const problem = digestMismatch(this.hash.copy(), this.blob.digest);
    if (problem) throw this.fail(problem);
  }

  private async next(): Promise<Buffer> {
    for (;;) {
      let read: IteratorResult<Buffer, undefined>;
      try {
        read = (await this.chunks.next()) as IteratorResult<Buffer, undefined>;
      } catch (err) {
        this.cutOff = { offset: this.offset, error: err };
        throw err;
      }
      const { done, value } = read;
      if (done) {
        // The answer ended early: cut short on the way (a registry does not store short blobs),
        // so it is read again from where the target got to, like a connection that broke.
        const error = new Error(`the answer ended after ${this.offset} of the ${this.blob.size} bytes`);
        this.cutOff = { offset: this.offset, error };
        throw error;
      }
      this.counts.onRead(value.length);
      if (value.length > this.toDrop) {
        const rest = value.subarray(this.toDrop);
        this.toDrop = 0;
        return rest;
      }
      this.toDrop -= value.length;
    }
  }

  private fail(reason: string): Error {
    this.failure = reason;
    return new Error(reason);
  }
}

/**
 * GETs the source blob from `at` (a Range request past the start) and reads it from there. A
 * source that ignores Range and answers 200 has the bytes before `at` dropped unhashed.
 */
export async function openBlobReader(
  http: RegistryHttp,
  blob: SourceBlob,
  at: HashPoint,
  onSent: (count: number) => void,
): Promise<BlobReader> {
  const res = await http.call({
    ...blob.from,
    operation: 'read blob',
    subject: blob.digest,
    access: 'pull',
    method: 'GET',
    path: `/v2/${blob.from.repository}/blobs/${blob.digest}`,
    ...(at.offset > 0 ? { headers: { range: `bytes=${at.offset}-` } } : {}),
    ok: at.offset > 0 ? [200, 206] : [200],
  });
  const counters = http.stats.of(blob.from.registry);
  const body = res.body;
  if (res.status === 206 && rangeStart(res) !== at.offset) {
    body.destroy();
    throw new RegistryError(
      `The registry ${blob.from.registry} answered a read of blob ${blob.digest} from byte ${at.offset} with the range ${String(res.headers['content-range'])}.`,
      { ...blob.from, operation: 'read blob', access: 'pull', subject: blob.digest },
    );
  }
  return new BlobReader(
    body,
    at,
    blob,
    { onRead: (n) => (counters.bytesDownloaded += n), onSent, drop: res.status === 200 ? at.offset : 0 },
    res.headers['content-type'],
  );
}

function rangeStart(res: HttpResponse): number | undefined {
  const match = /^bytes (\d+)-/.exec(res.headers['content-range'] ?? '');
  return match ? Number(match[1]) : undefined;
}
