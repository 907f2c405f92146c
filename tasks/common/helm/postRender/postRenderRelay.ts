import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { errorMessage } from '../../errors';

/** What the task process does with the manifests Helm rendered. */
export type RenderTransform = (manifests: Buffer) => Promise<Buffer>;

export interface PostRenderRelay {
  /** The script Helm runs (with node): it hands stdin to this process and prints the answer. */
  readonly scriptPath: string;
  /** How many times Helm called the post-renderer. */
  readonly calls: number;
  /** Why calls failed (Helm 4 drops a post-renderer's stderr, so the task logs these itself). */
  readonly failures: readonly string[];
  close(): Promise<void>;
}

const MAX_MANIFESTS = 256 * 1024 * 1024;

/**
 * The post-renderer script: plain Node, no dependencies, so it runs from a temp folder with the
 * task's own node (process.execPath). It relays Helm's rendered manifests to the task process over
 * loopback HTTP, with a one-run token, and prints what comes back; the YAML work happens in the task,
 * where the `yaml` library is bundled.
 */
export function relayScript(port: number, token: string): string {
  return `'use strict';
// Release Guard post-renderer: relays Helm's rendered manifests to the running task, prints the result.
const http = require('node:http');
const chunks = [];
process.stdin.on('data', (c) => chunks.push(c));
process.stdin.on('end', () => {
  const body = Buffer.concat(chunks);
  const req = http.request(
    { host: '127.0.0.1', port: ${port}, method: 'POST', path: '/render',
      headers: { authorization: ${JSON.stringify(`Bearer ${token}`)}, 'content-type': 'application/yaml', 'content-length': body.length } },
    (res) => {
      const out = [];
      res.on('data', (c) => out.push(c));
      res.on('end', () => {
        const text = Buffer.concat(out);
        if (res.statusCode === 200) process.stdout.write(text);
        else { process.stderr.write(text); process.exitCode = 1; }
      });
    },
  );
  req.on('error', (e) => { process.stderr.write('release-guard post-renderer: ' + e.message + '\\n'); process.exitCode = 1; });
  req.end(body);
});
`;
}

function readRequest(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_MANIFESTS)
        req.destroy(new Error(`rendered manifests larger than ${MAX_MANIFESTS} bytes`));
      else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Starts the loopback relay and writes its script (mode 0700) to `scriptPath`. */
export async function startPostRenderRelay(
  scriptPath: string,
  transform: RenderTransform,
): Promise<PostRenderRelay> {
  const token = crypto.randomBytes(24).toString('base64url');
  const expected = Buffer.from(`Bearer ${token}`);
  let calls = 0;
  const failures: string[] = [];
  const server = http.createServer((req, res) => {
    const given = Buffer.from(req.headers.authorization ?? '');
    if (
      req.method !== 'POST' ||
      given.length !== expected.length ||
      !crypto.timingSafeEqual(given, expected)
    ) {
      res.writeHead(403).end('forbidden\n');
      return;
    }
    calls++;
    readRequest(req)
      .then(transform)
      .then(
        (out) => res.writeHead(200, { 'content-type': 'application/yaml' }).end(out),
        (err: unknown) => {
          const message = errorMessage(err);
          failures.push(message);
          res.writeHead(500, { 'content-type': 'text/plain' }).end(`${message}\n`);
        },
      );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  fs.writeFileSync(scriptPath, relayScript(port, token), { mode: 0o700 });
  return {
    scriptPath,
    get calls() {
      return calls;
    },
    failures,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
