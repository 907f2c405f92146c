// A loopback HTTP server that answers with a function the test gives and records every request:
// for registries and token services that misbehave in one precise way.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request a scripted server received: what tests check for credentials that went astray. */
export interface SeenRequest {
  readonly method: string;
  /** Path and query. */
  readonly url: string;
  readonly authorization?: string;
  readonly body: string;
}

export interface ScriptedServer {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly seen: SeenRequest[];
  stop(): Promise<void>;
}

/** A loopback HTTP server answering with `route`, recording every request (headers and body). */
export async function scriptedServer(
  route: (req: SeenRequest, res: http.ServerResponse) => void,
): Promise<ScriptedServer> {
  const seen: SeenRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request: SeenRequest = {
        method: req.method ?? '',
        url: req.url ?? '/',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        body: Buffer.concat(chunks).toString('utf8'),
      };
      seen.push(request);
      route(request, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
