// A pass-through HTTP(S) proxy in front of a service (a registry, the Key Vault emulator) that
// misbehaves on demand: chosen requests answered by rules (401 to mounts, 429 with Retry-After,
// ...), or faults drawn from a seeded schedule (schedule.ts): connections reset before and inside
// bodies, 500/502/503, 429 with Retry-After, stalls, truncated bodies. Tasks reach it only as a
// user configures a service: its loopback URL in place of the service's. It keeps the Host header,
// so a registry builds upload Locations that point back at the proxy. It records every request,
// with the body bytes the client sent, and can cut a request body part-way (injectCut). In front of
// a registry with token auth it is also the front of the token server: `/oauth2/*` goes there (not
// logged, never faulted), so the realm is on the registry's own host and port, as ACR's is.
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { testCa } from '../testCertificates';
import { faultDrawer, noFaults, type FaultCounts, type FaultSchedule, type ScheduledFault } from './schedule';

/** A rule: the next `times` requests it matches are answered with `status` by the proxy. */
export interface Fault {
  match: (method: string, path: string, query: string) => boolean;
  status: number;
  headers?: Record<string, string>;
  times: number;
}

/**
 * Cuts the client's connection once `afterBytes` request body bytes of matching requests have
 * arrived, counted across them (e.g. half of one upload, whether it is one PUT or many PATCHes).
 */
export interface BodyCut {
  match: (method: string, path: string, query: string) => boolean;
  afterBytes: number;
  /**
   * false (default): the proxy buffers each matching request and forwards it only once whole, as
   * a buffering reverse proxy (nginx's default) does, so the service never sees the cut request.
   * true: bytes are forwarded as they arrive and the service's connection is cut too, so it keeps
   * the part of the request that came before the cut.
   */
  registrySeesPart?: boolean;
}

export interface ProxiedRequest {
  method: string;
  path: string;
  query: string;
  /** 0 when the connection was dropped without an answer. */
  status: number;
  /** true when the proxy answered or cut the exchange (a rule or a scheduled fault). */
  injected?: boolean;
  /** Request body bytes received from the client (also for a cut request). */
  bodyBytes?: number;
  /** The proxy cut the connection inside the request body (injectCut; status 0). */
  cut?: boolean;
}

export interface FaultProxyOptions {
  /** Serve HTTPS with the test CA's certificate, and forward over HTTPS trusting that CA. */
  readonly tls?: boolean;
  /** The service's port on 127.0.0.1; else call setUpstreamPort before the first request. */
  readonly upstreamPort?: number;
}

export interface FaultProxy {
  readonly port: number;
  /** `http(s)://127.0.0.1:<port>` */
  readonly url: string;
  /** Sets where requests go; call before the first request. */
  setUpstreamPort(port: number): void;
  /** Where `/oauth2/*` requests go (a registry's token server), when there is one. */
  setTokenPort(port: number): void;
  inject(fault: Fault): void;
  injectCut(cut: BodyCut): void;
  /** Draws faults from this schedule from now on; undefined passes everything through again. */
  schedule(schedule: FaultSchedule | undefined): void;
  /** Scheduled faults applied since start or resetCounts(), by kind. */
  counts(): FaultCounts;
  resetCounts(): void;
  /** Completed requests since start or reset(), in arrival order. */
  requests(): ProxiedRequest[];
  reset(): void;
  close(): Promise<void>;
}

type LoggedRequest = ProxiedRequest & { done: boolean };

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'upgrade',
  'te',
  'transfer-encoding',
]);

const hasRequestBody = (req: http.IncomingMessage): boolean =>
  Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;

function forwardHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k.toLowerCase())));
}

export async function startFaultProxy(options: FaultProxyOptions = {}): Promise<FaultProxy> {
  let upstreamPort = options.upstreamPort ?? 0;
  let tokenPort: number | undefined;
  const cuts: (BodyCut & { left: number; fired: boolean })[] = [];
  const ca = options.tls ? await testCa() : undefined;
  const rules: Fault[] = [];
  let draw: (() => ScheduledFault | undefined) | undefined;
  let counts = noFaults();
  let log: LoggedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();

  /** A request to the service (`port`: another one on 127.0.0.1), its body still to be written. */
  const openUpstream = (
    req: http.IncomingMessage,
    onResponse: (up: http.IncomingMessage) => void,
    onError: (err: Error) => void,
    port = upstreamPort,
  ): http.ClientRequest => {
    const request = ca && port === upstreamPort ? https.request : http.request;
    const upstream = request(
      {
        host: '127.0.0.1',
        port,
        method: req.method,
        path: req.url ?? '/',
        headers: forwardHeaders(req.headers),
        ...(ca ? { ca: ca.certPem } : {}),
      },
      onResponse,
    );
    upstream.on('error', onError);
    return upstream;
  };

  /** Sends the request on to the service with the client's body. */
  const forward = (
    req: http.IncomingMessage,
    onResponse: (up: http.IncomingMessage) => void,
    onError: (err: Error) => void,
    port = upstreamPort,
  ): void => {
    req.pipe(openUpstream(req, onResponse, onError, port));
  };

  /** Forwards and collects the whole answer (for the faults that need its length). */
  const forwardBuffered = (req: http.IncomingMessage): Promise<Answer> =>
    new Promise((resolve, reject) => {
      forward(
        req,
        (up) => {
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => chunks.push(c));
          up.on('end', () =>
            resolve({ status: up.statusCode ?? 502, headers: up.headers, body: Buffer.concat(chunks) }),
          );
          up.on('error', reject);
        },
        reject,
      );
    });

  /** Passes the answer through to the client. */
  const relay =
    (res: http.ServerResponse, finish: (status: number) => void) => (up: http.IncomingMessage) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
      res.on('close', () => finish(up.statusCode ?? 502));
    };
  const failWith = (res: http.ServerResponse, finish: (status: number) => void) => (err: Error) => {
    if (!res.headersSent) res.writeHead(502, { 'Content-Type': 'text/plain' });
    res.end(`fault proxy: ${err.message}`);
    finish(502);
  };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    const url = req.url ?? '/';
    if (tokenPort !== undefined && url.startsWith('/oauth2/')) {
      forward(
        req,
        relay(res, () => undefined),
        failWith(res, () => undefined),
        tokenPort,
      );
      return;
    }
    const q = url.indexOf('?');
    const method = req.method ?? '';
    const entry: LoggedRequest = {
      method,
      path: q < 0 ? url : url.slice(0, q),
      query: q < 0 ? '' : url.slice(q + 1),
      status: 0,
      done: false,
    };
    log.push(entry);
    const finish = (status: number) => {
      if (entry.done) return;
      entry.status = status;
      entry.done = true;
    };
    const drop = (socket: Socket | null = req.socket) => {
      socket?.destroy();
      finish(0);
    };
    const answer = (status: number, headers: Record<string, string>, text: string) => {
      req.resume();
      res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
      res.end(text, () => finish(status));
    };

    const rule = rules.find((f) => f.times > 0 && f.match(method, entry.path, entry.query));
    if (rule) {
      rule.times--;
      entry.injected = true;
      answer(
        rule.status,
        rule.headers ?? {},
        JSON.stringify({ errors: [{ code: 'FAULT_INJECTED', message: `injected ${rule.status}` }] }),
      );
      return;
    }

    const fault = draw?.();
    if (fault) {
      const applied = () => {
        counts[fault.kind]++;
        entry.injected = true;
      };
      const failed = () => drop(res.socket);
      switch (fault.kind) {
        case 'reset-before':
          applied();
          drop();
          return;
        case 'stall': {
          applied();
          const timer = setTimeout(() => {
            timers.delete(timer);
            drop();
          }, fault.stallMs);
          timers.add(timer);
          return;
        }
        case 'http-500':
        case 'http-502':
        case 'http-503':
        case 'http-429': {
          applied();
          const status = Number(fault.kind.slice(5));
          const headers: Record<string, string> =
            status === 429 ? { 'Retry-After': String(fault.retryAfterSeconds) } : {};
          const message = `fault proxy: injected ${status}`;
          answer(status, headers, JSON.stringify({ errors: [{ code: 'FAULT_INJECTED', message }] }));
          return;
        }
        case 'reset-in-body':
          applied();
          if (hasRequestBody(req)) {
            // Cut while the client is still sending: the service never sees the request.
            const length = Number(req.headers['content-length'] ?? 0);
            const cut = Math.floor(length * fault.cutAt);
            let received = 0;
            req.on('data', (c: Buffer) => {
              received += c.length;
              if (received >= cut) drop();
            });
            req.on('end', () => drop());
            return;
          }
          forwardBuffered(req).then((up) => {
            if (method === 'HEAD' || up.body.length === 0) {
              drop(res.socket); // handled by the service, the answer lost
              return;
            }
            res.writeHead(up.status, forwardHeaders(up.headers));
            res.write(up.body.subarray(0, Math.floor(up.body.length * fault.cutAt)), () => drop(res.socket));
          }, failed);
          return;
        case 'truncate':
          forwardBuffered(req).then((up) => {
            const headers = forwardHeaders(up.headers);
            if (method === 'HEAD' || up.body.length < 2) {
              res.writeHead(up.status, headers);
              res.end(up.body, () => finish(up.status));
              return;
            }
            applied();
            delete headers['content-length'];
            res.writeHead(up.status, headers);
            res.end(up.body.subarray(0, Math.floor(up.body.length * fault.cutAt)), () => finish(up.status));
          }, failed);
          return;
      }
    }

    passThrough(req, res, entry, finish);
  };

  /** No fault: forwards the request, counting its body bytes and cutting it where a BodyCut says. */
  const passThrough = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    entry: LoggedRequest,
    finish: (status: number) => void,
  ): void => {
    const onResponse = (up: http.IncomingMessage) => {
      if (entry.cut) return void up.resume();
      relay(res, finish)(up);
    };
    const onError = (err: Error) => {
      if (!entry.cut) failWith(res, finish)(err);
    };
    entry.bodyBytes = 0;
    const cut = cuts.find((c) => !c.fired && c.match(entry.method, entry.path, entry.query));
    if (!cut) {
      req.on('data', (chunk: Buffer) => (entry.bodyBytes = (entry.bodyBytes ?? 0) + chunk.length));
      forward(req, onResponse, onError);
      return;
    }
    const cutHere = (): void => {
      cut.fired = true;
      entry.cut = true;
      req.socket.destroy();
      finish(0);
    };
    const parts: Buffer[] = [];
    const upstream = cut.registrySeesPart ? openUpstream(req, onResponse, onError) : undefined;
    req.on('data', (chunk: Buffer) => {
      if (entry.cut) return;
      entry.bodyBytes = (entry.bodyBytes ?? 0) + chunk.length;
      const room = cut.fired ? Infinity : cut.left;
      cut.left -= Math.min(room, chunk.length);
      const pass = chunk.length < room ? chunk : chunk.subarray(0, room);
      if (!upstream) {
        if (pass === chunk) parts.push(chunk);
        else cutHere();
        return;
      }
      if (pass !== chunk) {
        upstream.write(pass, () => {
          upstream.destroy();
          cutHere();
        });
        entry.cut = true;
        return;
      }
      if (!upstream.write(chunk)) {
        req.pause();
        upstream.once('drain', () => req.resume());
      }
    });
    req.on('end', () => {
      if (entry.cut) return;
      if (upstream) upstream.end();
      else openUpstream(req, onResponse, onError).end(Buffer.concat(parts));
    });
  };

  const server = ca
    ? https.createServer({ cert: ca.localhost.certPem, key: ca.localhost.keyPem }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    url: `${ca ? 'https' : 'http'}://127.0.0.1:${port}`,
    setUpstreamPort(p) {
      upstreamPort = p;
    },
    setTokenPort(p) {
      tokenPort = p;
    },
    inject(fault) {
      rules.push({ ...fault });
    },
    injectCut(cut) {
      cuts.push({ ...cut, left: cut.afterBytes, fired: false });
    },
    schedule(schedule) {
      draw = schedule ? faultDrawer(schedule) : undefined;
    },
    counts: () => ({ ...counts }),
    resetCounts() {
      counts = noFaults();
    },
    requests: () => log.filter((e) => e.done).map(({ done: _done, ...request }) => ({ ...request })),
    reset() {
      log = log.filter((e) => !e.done);
    },
    close: () =>
      new Promise<void>((resolve) => {
        timers.forEach(clearTimeout);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
