// A generic HTTPS server for emulators: 127.0.0.1 on a free port, a certificate from the test CA,
// and the CA as PEM and as a file (for NODE_EXTRA_CA_CERTS in a task's environment).
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serverCertificate, testCa } from './testCertificates';

export type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void | Promise<void>;

export interface HttpsServerOptions {
  /** Host names the certificate covers; default 127.0.0.1, ::1 and localhost. */
  readonly hosts?: readonly string[];
  /** Require a client certificate issued by (or equal to) this PEM; others are refused in the handshake. */
  readonly clientCa?: string;
}

export interface RunningHttpsServer {
  /** `https://127.0.0.1:<port>`, without a trailing slash. */
  readonly url: string;
  readonly port: number;
  /** The test CA certificate that signed this server's certificate (shared by every emulator). */
  readonly caPem: string;
  /** A file holding caPem, removed by stop(). */
  readonly caFile: string;
  stop(): Promise<void>;
}

/** Answers 500 with the error's message when a handler throws, so a test sees why. */
function guarded(handler: RequestHandler): http.RequestListener {
  return (req, res) => {
    Promise.resolve()
      .then(() => handler(req, res))
      .catch((err: unknown) => {
        if (res.headersSent) {
          res.destroy();
          return;
        }
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`emulator error: ${err instanceof Error ? err.message : String(err)}`);
      });
  };
}

export async function startHttpsServer(
  handler: RequestHandler,
  options: HttpsServerOptions = {},
): Promise<RunningHttpsServer> {
  const ca = await testCa();
  const cert = options.hosts ? await serverCertificate(options.hosts) : ca.localhost;
  const clientAuth = options.clientCa
    ? { ca: options.clientCa, requestCert: true, rejectUnauthorized: true }
    : {};
  const server = https.createServer(
    { cert: cert.certPem, key: cert.keyPem, ...clientAuth },
    guarded(handler),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-https-'));
  const caFile = path.join(dir, 'ca.pem');
  fs.writeFileSync(caFile, ca.certPem);
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    caPem: ca.certPem,
    caFile,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
