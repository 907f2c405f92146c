// Azure Container Registry's lock API in front of the real registry fixture: serves
// `/acr/v1/<repo>/_tags/<tag>` and `/acr/v1/<repo>/_manifests/<digest>` (GET and PATCH of
// `changeableAttributes`, flat JSON body as `az acr repository update` sends) with ACR's token
// scope checks (`metadata_read`, `metadata_write` in the JWT's access claim, else a 401 challenge),
// and enforces the locks on the distribution API passing through it: a manifest PUT to a locked
// tag or manifest, a DELETE of a locked one -> 405 REGISTRY_DISALLOWED_OPERATION, as ACR answers.
// Everything else (/v2/, /oauth2/) is piped to the upstream front unchanged, Host header kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBody, sendJson } from '../httpUtil';
import { decodeJwt, nowSeconds, verifyJwtSignature } from '../jwt';
import type { TokenSigner } from './tokenSigner';

export interface AcrAttributes {
  deleteEnabled: boolean;
  writeEnabled: boolean;
  readEnabled: boolean;
  listEnabled: boolean;
}

/** One `/acr/v1/` request and ACR's answer. */
export interface AcrRequest {
  method: string;
  path: string;
  status: number;
}

export interface AcrFront {
  readonly port: number;
  /** Token checks and upstream reads; called once the fixture's signer and host are known. */
  configure(settings: AcrFrontSettings): void;
  setUpstreamPort(port: number): void;
  requests(): AcrRequest[];
  /** Manifest writes and deletes refused because of a lock. */
  refusals(): AcrRequest[];
  reset(): void;
  close(): Promise<void>;
}

export interface AcrFrontSettings {
  readonly host: string;
  readonly issuer: string;
  readonly signer: TokenSigner;
}

export const DISALLOWED_MESSAGE =
  'The operation is disallowed on this registry, repository or image. View troubleshooting steps at ' +
  'https://aka.ms/acr/faq/#why-does-my-pull-or-push-request-fail-with-disallowed-operation';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');
const ATTRIBUTE_NAMES = ['deleteEnabled', 'writeEnabled', 'readEnabled', 'listEnabled'] as const;
const API_PATH = /^\/acr\/v1\/(.+)\/_(tags|manifests)\/([^/]+)$/;
const MANIFEST_PATH = /^\/v2\/(.+)\/manifests\/([^/]+)$/;
const isDigest = (ref: string) => /^[a-z0-9]+:[a-f0-9]{32,}$/.test(ref);

export async function startAcrFront(): Promise<AcrFront> {
  let upstreamPort = 0;
  let settings: AcrFrontSettings | undefined;
  let publicKey: crypto.KeyObject | undefined;
  const locks = new Map<string, AcrAttributes>();
  let log: AcrRequest[] = [];
  let refused: AcrRequest[] = [];
  const attributes = (key: string): AcrAttributes =>
    locks.get(key) ?? { deleteEnabled: true, writeEnabled: true, readEnabled: true, listEnabled: true };

  /** The repository actions the request's bearer token grants (signature, audience and expiry checked). */
  function granted(req: http.IncomingMessage, repository: string): string[] | undefined {
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const jwt = bearer ? decodeJwt(bearer) : undefined;
    if (!jwt || !settings || !publicKey || !verifyJwtSignature(jwt, publicKey)) return undefined;
    const { aud, exp, access } = jwt.claims as { aud?: unknown; exp?: unknown; access?: unknown };
    if (aud !== settings.host || typeof exp !== 'number' || exp < nowSeconds()) return undefined;
    const entries = Array.isArray(access)
      ? (access as { type?: unknown; name?: unknown; actions?: unknown }[])
      : [];
    return entries
      .filter((a) => a.type === 'repository' && a.name === repository && Array.isArray(a.actions))
      .flatMap((a) => a.actions as string[]);
  }

  /** The digest `ref` names upstream, read with a pull token the front mints itself. */
  async function resolve(repository: string, ref: string): Promise<string | undefined> {
    if (!settings) return undefined;
    const { token } = settings.signer.sign({
      issuer: settings.issuer,
      audience: settings.host,
      subject: 'acr-front',
      access: [{ type: 'repository', name: repository, actions: ['pull'] }],
      lifetimeSeconds: 60,
    });
    const res = await fetch(`http://127.0.0.1:${upstreamPort}/v2/${repository}/manifests/${ref}`, {
      method: 'HEAD',
      headers: { authorization: `Bearer ${token}`, accept: ACCEPT },
    });
    return res.status === 200 ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
  }

  async function serveApi(req: http.IncomingMessage, res: http.ServerResponse, match: string[]) {
    const [, repository = '', kind = '', rawRef = ''] = match;
    const ref = decodeURIComponent(rawRef);
    const answer = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      log.push({ method: req.method ?? '', path: req.url ?? '', status });
      sendJson(res, status, body, headers);
    };
    const needed = req.method === 'PATCH' ? 'metadata_write' : 'metadata_read';
    const actions = granted(req, repository);
    if (!actions?.includes(needed)) {
      const challenge =
        `Bearer realm="http://${settings?.host ?? ''}/oauth2/token",service="${settings?.host ?? ''}",` +
        `scope="repository:${repository}:${needed}"${actions ? ',error="insufficient_scope"' : ''}`;
      const message = 'authentication required, visit https://aka.ms/acr/authorization for more information.';
      return answer(401, { errors: [{ code: 'UNAUTHORIZED', message }] }, { 'www-authenticate': challenge });
    }
    if (req.method !== 'GET' && req.method !== 'PATCH') {
      return answer(405, { errors: [{ code: 'UNSUPPORTED', message: 'The operation is unsupported.' }] });
    }
    const digest =
      kind === 'tags'
        ? await resolve(repository, ref)
        : isDigest(ref)
          ? await resolve(repository, ref)
          : undefined;
    if (!digest) {
      const code = kind === 'tags' ? 'TAG_UNKNOWN' : 'MANIFEST_UNKNOWN';
      return answer(404, {
        errors: [{ code, message: `the specified ${kind === 'tags' ? 'tag' : 'manifest'} does not exist` }],
      });
    }
    const key = kind === 'tags' ? `${repository}:${ref}` : `${repository}@${digest}`;
    if (req.method === 'PATCH') {
      let changes: Record<string, unknown>;
      try {
        changes = JSON.parse(await readBody(req)) as Record<string, unknown>;
      } catch {
        return answer(400, { errors: [{ code: 'BAD_REQUEST', message: 'the body is not JSON' }] });
      }
      const next = { ...attributes(key) };
      for (const [name, value] of Object.entries(changes)) {
        if (!(ATTRIBUTE_NAMES as readonly string[]).includes(name) || typeof value !== 'boolean') {
          return answer(400, { errors: [{ code: 'BAD_REQUEST', message: `invalid attribute ${name}` }] });
        }
        next[name as keyof AcrAttributes] = value;
      }
      locks.set(key, next);
    }
    const time = new Date().toISOString();
    const item = { digest, createdTime: time, lastUpdateTime: time, changeableAttributes: attributes(key) };
    const imageName = repository;
    return answer(
      200,
      kind === 'tags'
        ? { registry: settings?.host, imageName, tag: { name: ref, signed: false, ...item } }
        : { registry: settings?.host, imageName, manifest: { ...item } },
    );
  }

  /** Whether a manifest PUT or DELETE touches locked content (ACR checks after authentication). */
  function lockedWrite(req: http.IncomingMessage, path: string): boolean {
    const match = MANIFEST_PATH.exec(path);
    if (!match || (req.method !== 'PUT' && req.method !== 'DELETE') || !req.headers.authorization)
      return false;
    const [, repository = '', ref = ''] = match;
    const allows = (a: AcrAttributes) => a.writeEnabled && (req.method === 'PUT' || a.deleteEnabled);
    if (!isDigest(ref) && !allows(attributes(`${repository}:${ref}`))) return true;
    const digest = isDigest(ref) ? ref : undefined;
    return digest !== undefined && !allows(attributes(`${repository}@${digest}`));
  }

  function pipe(req: http.IncomingMessage, res: http.ServerResponse) {
    const upstream = http.request(
      { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', (err) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`acr front: ${err.message}`);
    });
    req.pipe(upstream);
  }

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const api = API_PATH.exec(path);
    const handle = async () => {
      if (api) return serveApi(req, res, api);
      if (lockedWrite(req, path)) {
        refused.push({ method: req.method ?? '', path, status: 405 });
        req.resume();
        return sendJson(res, 405, {
          errors: [{ code: 'REGISTRY_DISALLOWED_OPERATION', message: DISALLOWED_MESSAGE }],
        });
      }
      return pipe(req, res);
    };
    handle().catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { errors: [{ code: 'UNKNOWN', message: String(err) }] });
      else res.end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    port: (server.address() as AddressInfo).port,
    configure(s) {
      settings = s;
      publicKey = new crypto.X509Certificate(fs.readFileSync(s.signer.certificateFile)).publicKey;
    },
    setUpstreamPort: (p) => (upstreamPort = p),
    requests: () => log.map((r) => ({ ...r })),
    refusals: () => refused.map((r) => ({ ...r })),
    reset() {
      log = [];
      refused = [];
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
