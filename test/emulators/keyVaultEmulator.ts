// An Azure Key Vault emulator (secrets, read side; keys: ./keyVaultKeys) over HTTPS on 127.0.0.1, behind the Entra ID
// emulator, answering as the REST API documents it:
//  - no bearer token: 401 with `WWW-Authenticate: Bearer authorization="<authority>/<tenant>",
//    resource="https://vault.azure.net"`; a token not issued by the Entra emulator for that
//    resource and tenant: 401 as well (AKV10022 / AKV10032);
//  - GET /secrets?maxresults=1..25 (default 25) pages with `nextLink` ($skiptoken);
//  - GET /secrets/{name}[/{version}]: the latest version, or that one; 404 SecretNotFound;
//    403 Forbidden/SecretDisabled for a disabled version; expired and not-yet-valid versions are
//    served (the service does not enforce exp/nbf on get; clients must check the attributes);
//  - names are looked up case-insensitively and answered in their stored spelling;
//  - every request waits `latencyMs`; a throttle rule may answer 429 (or 503) with Retry-After.
//  - keys (./keyVaultKeys): GET /keys/{name}[/{version}], POST /keys/{name}/{version}/sign,
//    POST /keys/{name}/create, PUT /keys/{name} (import); a principal's key permissions as an
//    access policy grants them (`keyPermissions`, by appid; absent: all).
// It counts what it answered, and the order of list and get requests.
import type http from 'node:http';
import { startHttpsServer } from './httpsServer';
import { requestUrl, sendJson } from './httpUtil';
import {
  KeyVaultKeyStore,
  keyRequest,
  type KeyPermission,
  type KeySeed,
  type StoredKey,
} from './keyVaultKeys';
import type { RequestKind, ThrottleRule } from './keyVaultThrottle';
import { KeyVaultStore, type SeedSecret, secretBundle, secretItem } from './keyVaultStore';

export type { SeedSecret, SeedVersion } from './keyVaultStore';
export type { KeyPermission, KeySeed, StoredKey } from './keyVaultKeys';

export interface KeyVaultEmulatorOptions {
  readonly tenantId: string;
  /** The Entra ID authority host the challenge names (the emulator's url). */
  readonly authority: string;
  /** Claims of a token the Entra emulator issued; throws otherwise (EntraIdEmulator.verifyAccessToken). */
  readonly verifyToken: (token: string) => Record<string, unknown>;
  /** The resource tokens must be for; default the public cloud's `https://vault.azure.net`. */
  readonly resource?: string;
  readonly latencyMs?: number;
  readonly throttle?: ThrottleRule;
  readonly secrets?: readonly SeedSecret[];
  /** Key permissions per principal (the token's appid); a principal not listed has them all. */
  readonly keyPermissions?: Readonly<Record<string, readonly KeyPermission[]>>;
}

export interface KeyVaultEvent {
  readonly kind: RequestKind;
  /** Milliseconds since the emulator started. */
  readonly at: number;
}

export interface KeyVaultStats {
  requests: number;
  unauthorized: number;
  listPages: number;
  gets: number;
  /** 429 and 503 answers. */
  throttled: number;
  forbidden: number;
  notFound: number;
  badRequests: number;
  /** Most authenticated get requests in flight at once. */
  maxGetsInFlight: number;
  /** Authenticated list and get requests in arrival order. */
  events: KeyVaultEvent[];
}

export interface KeyVaultEmulator {
  /** `https://127.0.0.1:<port>`: what a task's keyVaultName names. */
  readonly url: string;
  readonly caFile: string;
  readonly stats: KeyVaultStats;
  /** Adds a secret or new versions of one; returns the latest version id. */
  setSecret(seed: SeedSecret): string;
  /** Creates or imports a key version; the private key stays available to the test. */
  addKey(seed: KeySeed): StoredKey;
  configure(settings: {
    latencyMs?: number;
    throttle?: ThrottleRule | undefined;
    keyPermissions?: Readonly<Record<string, readonly KeyPermission[]>>;
  }): void;
  resetStats(): void;
  stop(): Promise<void>;
}

const emptyStats = (): KeyVaultStats => ({
  requests: 0,
  unauthorized: 0,
  listPages: 0,
  gets: 0,
  throttled: 0,
  forbidden: 0,
  notFound: 0,
  badRequests: 0,
  maxGetsInFlight: 0,
  events: [],
});

const error = (code: string, message: string, inner?: string) => ({
  error: { code, message, ...(inner ? { innerError: { code: inner } } : {}) },
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startKeyVaultEmulator(options: KeyVaultEmulatorOptions): Promise<KeyVaultEmulator> {
  const resource = options.resource ?? 'https://vault.azure.net';
  const store = new KeyVaultStore();
  (options.secrets ?? []).forEach((s) => store.set(s));
  const keys = new KeyVaultKeyStore();
  let keyPermissions = options.keyPermissions ?? {};
  let latencyMs = options.latencyMs ?? 0;
  let throttle = options.throttle;
  let stats = emptyStats();
  let authenticated = 0;
  let getsInFlight = 0;
  const started = Date.now();

  const challenge = {
    'www-authenticate': `Bearer authorization="${options.authority.replace(/\/+$/, '')}/${options.tenantId}", resource="${resource}"`,
  };
  const unauthorized = (res: http.ServerResponse, message: string) => {
    stats.unauthorized++;
    sendJson(res, 401, error('Unauthorized', message), challenge);
  };

  /** The principal of a good token, as Key Vault names it in a 403. */
  function principalOf(req: http.IncomingMessage): { appid: string; label: string } {
    const token = /^Bearer (.+)$/i.exec(req.headers['authorization'] ?? '')?.[1] ?? '';
    const claims = options.verifyToken(token);
    const appid = String(claims['appid']);
    return { appid, label: `appid=${appid};oid=${String(claims['oid'])};iss=${String(claims['iss'])}` };
  }

  /** Undefined when the bearer token is good; else the AKV message to answer 401 with. */
  function tokenProblem(req: http.IncomingMessage): string | undefined {
    const header = req.headers['authorization'] ?? '';
    const token = /^Bearer (.+)$/i.exec(header)?.[1];
    if (!token) return 'AKV10000: Request is missing a Bearer or PoP token.';
    let claims: Record<string, unknown>;
    try {
      claims = options.verifyToken(token);
    } catch (err) {
      return `AKV10032: Invalid issuer or signature (${err instanceof Error ? err.message : String(err)}).`;
    }
    if (String(claims['aud']).replace(/\/+$/, '') !== resource.replace(/\/+$/, '')) {
      return `AKV10022: Invalid audience. Expected ${resource}, found: ${String(claims['aud'])}.`;
    }
    if (claims['tid'] !== options.tenantId)
      return `AKV10032: Invalid issuer. Expected tenant ${options.tenantId}.`;
    return undefined;
  }

  function list(res: http.ServerResponse, url: URL, base: string) {
    const max = url.searchParams.get('maxresults');
    const pageSize = max === null ? 25 : Number(max);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 25) {
      stats.badRequests++;
      return sendJson(
        res,
        400,
        error('BadParameter', 'The value of maxresults must be an integer from 1 to 25.'),
      );
    }
    const token = url.searchParams.get('$skiptoken');
    const offset = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
    const all = store.list();
    const page = all.slice(offset, offset + pageSize);
    stats.listPages++;
    const next = offset + pageSize < all.length ? offset + pageSize : undefined;
    const apiVersion = url.searchParams.get('api-version') ?? '';
    sendJson(res, 200, {
      value: page.map((s) => secretItem(base, s.name, s.latest)),
      nextLink:
        next === undefined
          ? null
          : `${base}/secrets?api-version=${apiVersion}&$skiptoken=${Buffer.from(String(next)).toString('base64url')}&maxresults=${pageSize}`,
    });
  }

  function get(res: http.ServerResponse, base: string, name: string, version: string | undefined) {
    stats.gets++;
    const found = store.find(name, version);
    if (!found) {
      stats.notFound++;
      return sendJson(
        res,
        404,
        error(
          'SecretNotFound',
          `A secret with (name/id) ${version ? `${name}/${version}` : name} was not found in this key vault. ` +
            'If you recently deleted this secret you may be able to recover it using the correct recovery command. ' +
            'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
        ),
      );
    }
    if (!found.stored.enabled) {
      stats.forbidden++;
      return sendJson(
        res,
        403,
        error('Forbidden', 'Operation get is not allowed on a disabled secret.', 'SecretDisabled'),
      );
    }
    sendJson(res, 200, secretBundle(base, found.name, found.stored));
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse) {
    stats.requests++;
    const url = requestUrl(req);
    const base = `https://${req.headers.host ?? '127.0.0.1'}`;
    const parts = url.pathname.split('/').filter(Boolean);
    const isKey =
      parts[0] === 'keys' &&
      parts.length >= 2 &&
      ((req.method === 'GET' && parts.length <= 3) ||
        (req.method === 'POST' && parts.length <= 4 && ['sign', 'create'].includes(parts.at(-1) ?? '')) ||
        (req.method === 'PUT' && parts.length === 2));
    const route: { kind: RequestKind; name?: string; version?: string } | undefined = isKey
      ? { kind: 'key' }
      : req.method === 'GET' && parts[0] === 'secrets'
        ? parts.length === 1
          ? { kind: 'list' }
          : parts.length <= 3
            ? { kind: 'get', name: decodeURIComponent(parts[1] ?? ''), version: parts[2] }
            : undefined
        : undefined;
    const problem = route && url.searchParams.get('api-version') ? tokenProblem(req) : undefined;
    const inFlight = route?.kind === 'get' && !problem;
    if (inFlight) stats.maxGetsInFlight = Math.max(stats.maxGetsInFlight, ++getsInFlight);
    try {
      await sleep(latencyMs);
      if (!route)
        return sendJson(res, 404, error('NotFound', `No ${req.method} ${url.pathname} in this emulator.`));
      if (!url.searchParams.get('api-version')) {
        stats.badRequests++;
        return sendJson(res, 400, error('BadParameter', 'The api-version query parameter is missing.'));
      }
      if (problem) return unauthorized(res, problem);
      const index = authenticated++;
      stats.events.push({ kind: route.kind, at: Date.now() - started });
      const answer = throttle?.({ index, kind: route.kind, now: Date.now() });
      if (answer !== undefined) {
        const { status, retryAfterSeconds } =
          typeof answer === 'number' ? { status: 429, retryAfterSeconds: answer } : answer;
        stats.throttled++;
        const body =
          status === 429
            ? error(
                'Throttled',
                `Request was not processed because too many requests were received. Retry after ${retryAfterSeconds} s.`,
              )
            : error(
                'ServiceUnavailable',
                `The service is temporarily unavailable. Retry after ${retryAfterSeconds} s.`,
              );
        return sendJson(res, status, body, { 'retry-after': String(retryAfterSeconds) });
      }
      if (route.kind === 'key') {
        const answer = await keyRequest(keys, req, parts, base, principalOf(req), keyPermissions);
        if (answer.status === 403) stats.forbidden++;
        if (answer.status === 404) stats.notFound++;
        if (answer.status === 400) stats.badRequests++;
        return sendJson(res, answer.status, answer.body);
      }
      if (route.kind === 'list') return list(res, url, base);
      get(res, base, route.name ?? '', route.version);
    } finally {
      if (inFlight) getsInFlight--;
    }
  }

  const server = await startHttpsServer(handle);
  return {
    url: server.url,
    caFile: server.caFile,
    get stats() {
      return stats;
    },
    setSecret: (seed) => store.set(seed),
    addKey: (seed) => keys.add(seed),
    configure(settings) {
      if (settings.keyPermissions) keyPermissions = settings.keyPermissions;
      if (settings.latencyMs !== undefined) latencyMs = settings.latencyMs;
      if ('throttle' in settings) throttle = settings.throttle;
    },
    resetStats() {
      stats = emptyStats();
      authenticated = 0;
    },
    stop: () => server.stop(),
  };
}
