// Answers a service should never give, for tests of the messages they cause: an HTML 502 page
// (a proxy or gateway), a 200 with an HTML page where JSON is expected, a body larger than the
// client accepts, a body cut off before its Content-Length, and a wrong content type. A scripted
// front (HTTP or HTTPS on 127.0.0.1) forwards every other request to the real service behind it.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { startHttpsServer } from './httpsServer';

export type HostileKind = 'html502' | 'html200' | 'oversized' | 'truncated' | 'wrongType';
export const HOSTILE_KINDS: readonly HostileKind[] = [
  'html502',
  'html200',
  'oversized',
  'truncated',
  'wrongType',
];

export const PROXY_PAGE_TITLE = '502 Bad Gateway - corp proxy';
const PAGE = `<!DOCTYPE html>\n<html><head><title>${PROXY_PAGE_TITLE}</title></head><body><h1>Bad Gateway</h1><p>The upstream server did not answer.</p></body></html>\n`;

export interface HostileOptions {
  /** Bytes of the oversized body (streamed, never held). */
  readonly oversizeBytes?: number;
  /** The wrong-type answer: JSON that is not what the client expects, under this Content-Type. */
  readonly wrongType?: { readonly contentType: string; readonly body: string };
  /** More headers on the HTML answers (a Docker-Content-Digest, to look like a manifest). */
  readonly headers?: Readonly<Record<string, string>>;
}

/** Sends one hostile answer. */
export function sendHostile(res: http.ServerResponse, kind: HostileKind, options: HostileOptions = {}): void {
  if (kind === 'html502' || kind === 'html200') {
    res.writeHead(kind === 'html502' ? 502 : 200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': Buffer.byteLength(PAGE),
      ...options.headers,
    });
    res.end(PAGE);
    return;
  }
  if (kind === 'truncated') {
    const part = '{"tags":["v1","v2","v3"],"name":"cut';
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 4096 });
    res.write(part, () => res.socket?.destroy());
    return;
  }
  if (kind === 'wrongType') {
    const { contentType, body } = options.wrongType ?? {
      contentType: 'text/html',
      body: '{"mediaType":"text/html","schemaVersion":2}',
    };
    res.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    res.end(body);
    return;
  }
  const size = options.oversizeBytes ?? 64 * 1024 * 1024;
  res.writeHead(200, { 'content-type': 'application/json' });
  const chunk = Buffer.alloc(256 * 1024, 0x20);
  let sent = 0;
  const pump = () => {
    while (sent < size) {
      sent += chunk.length;
      if (!res.write(chunk)) return void res.once('drain', pump);
    }
    res.end();
  };
  res.on('error', () => undefined);
  res.on('close', () => (sent = size));
  pump();
}

export interface HostileFront {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly url: string;
  /** With tls: the test CA that signed the front's certificate (PEM and file). */
  readonly caPem?: string;
  readonly caFile?: string;
  /** The answer for the next requests matching `match` (every later one while `times` > 0). */
  script(rule: HostileRule): void;
  /** Requests answered by a rule so far. */
  readonly answered: string[];
  close(): Promise<void>;
}

export interface HostileRule {
  readonly match: (method: string, path: string) => boolean;
  readonly kind: HostileKind;
  readonly options?: HostileOptions;
  times?: number;
}

export interface FrontOptions {
  /** Where other requests go: `http://127.0.0.1:5000` or `https://127.0.0.1:7000`. */
  readonly upstream?: string;
  /** Serve HTTPS with the test CA's certificate (the emulators' CA file). */
  readonly tls?: boolean;
}

/** A scripted front: rules answer hostile, everything else goes to `upstream` (or 404). */
export async function startHostileFront(options: FrontOptions = {}): Promise<HostileFront> {
  const rules: HostileRule[] = [];
  const answered: string[] = [];
  const upstream = options.upstream ? new URL(options.upstream) : undefined;
  const handler = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const rule = rules.find((r) => (r.times ?? 0) > 0 && r.match(method, path));
    if (rule) {
      if (rule.times !== undefined) rule.times--;
      answered.push(`${method} ${path} ${rule.kind}`);
      req.resume();
      sendHostile(res, rule.kind, rule.options);
      return;
    }
    if (!upstream) {
      res.writeHead(404).end();
      return;
    }
    const send = upstream.protocol === 'https:' ? https.request : http.request;
    const forwarded = send(
      {
        host: upstream.hostname,
        port: upstream.port,
        method,
        path: req.url,
        headers: { ...req.headers },
        rejectUnauthorized: false,
      },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    forwarded.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`front: ${err.message}`);
    });
    req.pipe(forwarded);
  };
  if (options.tls) {
    const server = await startHttpsServer(handler);
    return {
      host: new URL(server.url).host,
      url: server.url,
      caPem: server.caPem,
      caFile: server.caFile,
      answered,
      script: (rule) => rules.unshift({ times: Number.POSITIVE_INFINITY, ...rule }),
      close: () => server.stop(),
    };
  }
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    host,
    url: `http://${host}`,
    answered,
    script: (rule) => rules.unshift({ times: Number.POSITIVE_INFINITY, ...rule }),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
