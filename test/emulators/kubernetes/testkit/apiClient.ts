// Direct HTTPS calls to the Kubernetes emulator for protocol tests: one request with the token
// and the emulator's CA, or a watch stream read line by line.
import https from 'node:https';
import type { KubernetesEmulator } from '../index';

export interface ApiResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: Buffer;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
}

export interface ApiRequestOptions {
  readonly method?: string;
  readonly body?: string | Buffer | object;
  readonly contentType?: string;
  readonly accept?: string;
  /** Overrides the emulator's token; `null` sends no Authorization header. */
  readonly token?: string | null;
  readonly clientCertificate?: { readonly certPem: string; readonly keyPem: string };
}

function requestOptions(
  k8s: KubernetesEmulator,
  path: string,
  options: ApiRequestOptions,
): https.RequestOptions {
  const url = new URL(path, k8s.url);
  const token = options.token === undefined ? k8s.token : options.token;
  const headers: Record<string, string> = {};
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  if (options.contentType) headers['content-type'] = options.contentType;
  if (options.accept) headers['accept'] = options.accept;
  const body = bodyBytes(options.body);
  if (body) headers['content-length'] = String(body.length);
  return {
    method: options.method ?? 'GET',
    hostname: url.hostname,
    port: url.port,
    path: `${url.pathname}${url.search}`,
    ca: k8s.caPem,
    headers,
    ...(options.clientCertificate
      ? { cert: options.clientCertificate.certPem, key: options.clientCertificate.keyPem }
      : {}),
  };
}

function bodyBytes(body: ApiRequestOptions['body']): Buffer | undefined {
  if (body === undefined) return undefined;
  if (Buffer.isBuffer(body)) return body;
  return Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
}

export function apiRequest(
  k8s: KubernetesEmulator,
  path: string,
  options: ApiRequestOptions = {},
): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const req = https.request(requestOptions(k8s, path, options), (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        const contentType = String(res.headers['content-type'] ?? '');
        let json: unknown;
        try {
          json = contentType.includes('json') ? (JSON.parse(body.toString('utf8')) as unknown) : undefined;
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, contentType, body, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(bodyBytes(options.body));
  });
}

export interface WatchEvent {
  readonly type: string;
  readonly object: Record<string, unknown> & { metadata?: Record<string, unknown> };
}

/** An open watch: events as they arrive, a way to wait for one, and whether the server ended it. */
export interface WatchStream {
  readonly events: WatchEvent[];
  /** Resolves with the first event (already received or future) matching `predicate`. */
  next(predicate: (e: WatchEvent) => boolean): Promise<WatchEvent>;
  /** Resolves when the server closes the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export function openWatch(k8s: KubernetesEmulator, path: string): Promise<WatchStream> {
  return new Promise((resolve, reject) => {
    const req = https.request(requestOptions(k8s, path, {}), (res) => {
      if (res.statusCode !== 200) {
        reject(new Error(`watch answered ${res.statusCode}`));
        return;
      }
      res.on('error', () => undefined); // an aborted stream after close() is expected
      const events: WatchEvent[] = [];
      const waiters: { predicate: (e: WatchEvent) => boolean; resolve: (e: WatchEvent) => void }[] = [];
      let buffered = '';
      res.on('data', (chunk: Buffer) => {
        buffered += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const event = JSON.parse(buffered.slice(0, newline)) as WatchEvent;
          buffered = buffered.slice(newline + 1);
          events.push(event);
          for (const w of waiters.filter((x) => x.predicate(event))) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(event);
          }
        }
      });
      const ended = new Promise<void>((done) => res.on('close', () => done()));
      resolve({
        events,
        ended,
        next: (predicate) => {
          const seen = events.find(predicate);
          return seen ? Promise.resolve(seen) : new Promise((r) => waiters.push({ predicate, resolve: r }));
        },
        close: () => req.destroy(),
      });
    });
    req.on('error', (err) => {
      if (!req.destroyed) reject(err);
    });
    req.end();
  });
}
