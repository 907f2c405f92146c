// Blob uploads against a scripted registry that follows the OCI spec where distribution 2.8 does
// not: it advertises OCI-Chunk-Min-Length, and it keeps the bytes of a request cut part-way and
// reports them in Range, so even a whole-blob PUT resumes instead of starting over.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RegistryClient } from '../../../tasks/common/registry/client';
import { testClient } from '../../support/registryTestClient';
import { copyBlob } from '../../../tasks/common/registry';

const sha = (b: Buffer): string => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;

interface Seen {
  method: string;
  contentRange?: string;
  range?: string;
  bytes: number;
  status: number;
}

async function listen(handler: http.RequestListener): Promise<{ host: string; stop(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A source serving one blob, with Range requests answered 206. */
function blobSource(blob: Buffer, seen: Seen[]): http.RequestListener {
  return (req, res) => {
    const start = Number(/^bytes=(\d+)-$/.exec(req.headers.range ?? '')?.[1] ?? 0);
    const status = req.headers.range ? 206 : 200;
    seen.push({ method: req.method ?? '', range: req.headers.range, bytes: blob.length - start, status });
    res.writeHead(status, {
      'content-length': String(blob.length - start),
      ...(status === 206 ? { 'content-range': `bytes ${start}-${blob.length - 1}/${blob.length}` } : {}),
    });
    res.end(blob.subarray(start));
  };
}

/** One upload session that keeps every byte it receives, even from a request cut part-way. */
function uploadTarget(options: { minChunk?: number; cutAfter?: number }, seen: Seen[]) {
  let stored = Buffer.alloc(0);
  /** Cut once this many body bytes arrived, over all requests. */
  let cut = options.cutAfter;
  const state = { completed: undefined as string | undefined };
  const session = (extra: Record<string, string> = {}) => ({
    location: '/v2/app/blobs/uploads/s1',
    range: `0-${Math.max(0, stored.length - 1)}`,
    ...extra,
  });
  const handler: http.RequestListener = (req, res) => {
    const method = req.method ?? '';
    const entry: Seen = { method, contentRange: req.headers['content-range'], bytes: 0, status: 0 };
    seen.push(entry);
    const answer = (status: number, headers: Record<string, string> = {}) => {
      entry.status = status;
      res.writeHead(status, headers).end();
    };
    if (method === 'POST') {
      const min: Record<string, string> = options.minChunk
        ? { 'oci-chunk-min-length': String(options.minChunk) }
        : {};
      return answer(202, session(min));
    }
    if (method === 'GET') return answer(204, session());
    if (method === 'DELETE') return answer(204);
    req.on('data', (chunk: Buffer) => {
      if (cut !== undefined && chunk.length >= cut) {
        stored = Buffer.concat([stored, chunk.subarray(0, cut)]);
        entry.bytes += cut;
        cut = undefined;
        req.socket.destroy();
        return;
      }
      if (cut !== undefined) cut -= chunk.length;
      entry.bytes += chunk.length;
      stored = Buffer.concat([stored, chunk]);
    });
    req.on('end', () => {
      if (method === 'PATCH') return answer(202, session());
      const digest = new URL(req.url ?? '/', 'http://x').searchParams.get('digest') ?? '';
      if (sha(stored) !== digest) return answer(400);
      state.completed = digest;
      return answer(201);
    });
  };
  return { handler, state };
}

describe('registry/uploadProtocol: chunks and resumes against a spec-following scripted registry', () => {
  const stops: (() => Promise<void>)[] = [];
  let client: RegistryClient;
  beforeEach(() => {
    client = testClient();
  });
  afterEach(async () => {
    client.close();
    while (stops.length > 0) await stops.pop()?.();
  });
  const serve = async (handler: http.RequestListener) => {
    const s = await listen(handler);
    stops.push(() => s.stop());
    return s.host;
  };

  it('a registry advertising OCI-Chunk-Min-Length gets the blob in a PATCH, then an empty PUT', async () => {
    const blob = crypto.randomBytes(2500);
    const seen: Seen[] = [];
    const source = await serve(blobSource(blob, []));
    const target = uploadTarget({ minChunk: 1000 }, seen);
    const host = await serve(target.handler);
    await copyBlob(client.http, {
      from: { registry: source, repository: 'app' },
      to: { registry: host, repository: 'app' },
      digest: sha(blob),
      size: 2500,
    });
    assert.equal(target.state.completed, sha(blob));
    assert.deepEqual(
      seen.map((s) => `${s.method} ${s.contentRange ?? ''} ${s.bytes} ${s.status}`),
      ['POST  0 202', 'PATCH 0-2499 2500 202', 'PUT  0 201'],
    );
  });

  it('a whole-blob PUT cut part-way resumes at the Range the registry reports, sending only the rest', async () => {
    const blob = crypto.randomBytes(200_000);
    const sourceSeen: Seen[] = [];
    const seen: Seen[] = [];
    const source = await serve(blobSource(blob, sourceSeen));
    const target = uploadTarget({ cutAfter: 120_000 }, seen);
    const host = await serve(target.handler);
    const progress: number[] = [];
    await copyBlob(client.http, {
      from: { registry: source, repository: 'app' },
      to: { registry: host, repository: 'app' },
      digest: sha(blob),
      size: blob.length,
      onProgress: (d) => progress.push(d),
    });
    assert.equal(target.state.completed, sha(blob));
    const sent = seen.filter((s) => s.method === 'PUT' || s.method === 'PATCH');
    assert.deepEqual(
      sent.map((s) => `${s.method} ${s.contentRange ?? ''} ${s.bytes}`),
      ['PUT  120000', 'PATCH 120000-199999 80000', 'PUT  0'],
      'the rest in a chunk from the registry offset, then the completing PUT',
    );
    assert.ok(
      seen.some((s) => s.method === 'GET' && s.status === 204),
      'the registry was asked for its offset',
    );
    assert.equal(
      progress.reduce((n, d) => n + d, 0),
      blob.length,
      'progress ends at the blob size, bytes the registry did not keep rolled back',
    );
  });

  it('a chunk cut part-way: the source is re-read from the last confirmed chunk (Range), only the rest is sent', async () => {
    const blob = crypto.randomBytes(200_000);
    const sourceSeen: Seen[] = [];
    const seen: Seen[] = [];
    const source = await serve(blobSource(blob, sourceSeen));
    const target = uploadTarget({ cutAfter: 120_000 }, seen);
    const host = await serve(target.handler);
    const chunked = testClient({}, { uploadChunkBytes: 50_000 });
    try {
      await copyBlob(chunked.http, {
        from: { registry: source, repository: 'app' },
        to: { registry: host, repository: 'app' },
        digest: sha(blob),
        size: blob.length,
      });
    } finally {
      chunked.close();
    }
    assert.equal(target.state.completed, sha(blob));
    assert.deepEqual(
      seen.filter((s) => s.method === 'PATCH').map((s) => `${s.contentRange ?? ''} ${s.bytes}`),
      [
        '0-49999 50000',
        '50000-99999 50000',
        '100000-149999 20000',
        '120000-169999 50000',
        '170000-199999 30000',
      ],
    );
    assert.deepEqual(
      sourceSeen.map((s) => s.range ?? 'whole'),
      ['whole', 'bytes=100000-'],
      'the second read starts at the hash state saved after the last confirmed chunk',
    );
  });
});
