// A pass-through proxy in front of a registry fixture that moves a tag while a client is between
// reading it and reading it again: the first answer for the watched manifest path is held back,
// `move` runs (it re-points the tag in the registry behind), then that first answer is sent. Every
// later request sees the moved tag. The Host header is kept, so upload Locations point back here.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TagMovingProxy {
  /** '127.0.0.1:PORT' */
  readonly host: string;
  /** How many times the watched path was requested (GET or HEAD). */
  reads(): number;
  close(): Promise<void>;
}

export async function startTagMovingProxy(
  upstreamPort: number,
  watchedPath: string,
  move: () => Promise<void>,
): Promise<TagMovingProxy> {
  let reads = 0;
  let moved: Promise<void> | undefined;
  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const watched = url.split('?')[0] === watchedPath && (req.method === 'GET' || req.method === 'HEAD');
    if (watched) reads++;
    const first = watched && moved === undefined;
    const upstream = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: url, headers: req.headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          const send = () => {
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(Buffer.concat(chunks));
          };
          if (!first) return send();
          moved = move();
          moved.then(send, (err: unknown) => {
            res.writeHead(500).end(`tag-moving proxy: the move failed: ${String(err)}`);
          });
        });
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
      res.end(`tag-moving proxy: ${err.message}`);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    reads: () => reads,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
