// A token server for distribution's token auth, on 127.0.0.1. Serves at /oauth2/token:
//  - GET  (Docker token protocol): ?service=..&scope=.. (repeatable), Basic auth or anonymous;
//    also Basic with the null GUID user and a refresh token as password (ACR's docker login).
//  - POST (OAuth2 form, ACR and Docker identity tokens): grant_type=refresh_token|password.
// and POST /oauth2/exchange (ACR): an Entra access token -> a refresh token.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { grantAccess, parseScopes, type AccessRules, type GrantedAccess } from './tokenGrants';
import type { TokenSigner } from './tokenSigner';
import type { RegistryUser, TokenRequest } from './types';

/** The user name ACR expects with a refresh token as password. */
/** Entra access tokens accepted by /oauth2/exchange: a fixed map, or a check giving the user name. */
export type EntraTokens = Record<string, string> | ((accessToken: string) => string | undefined);

export const NULL_GUID_USER = '00000000-0000-0000-0000-000000000000';

export interface TokenServerOptions {
  service: string;
  issuer: string;
  signer: TokenSigner;
  users: readonly RegistryUser[];
  anonymousAccess: AccessRules;
  entraTokens: EntraTokens;
  lifetimeSeconds: number;
  /** The origin clients reach it at (a front on the registry's port); default its own. */
  publicOrigin?: string;
}

export interface TokenServer {
  /** origin, e.g. http://127.0.0.1:PORT */
  readonly url: string;
  /** the port it listens on (url may be a front's) */
  readonly port: number;
  /** the realm for the registry config */
  readonly realm: string;
  requests(): TokenRequest[];
  close(): Promise<void>;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const MAX_BODY = 64 * 1024;

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () =>
      size > MAX_BODY
        ? reject(new HttpError(413, 'body too large'))
        : resolve(Buffer.concat(chunks).toString('utf8')),
    );
    req.on('error', reject);
  });
}

function basicCredentials(req: http.IncomingMessage): { user: string; password: string } | undefined {
  const header = req.headers.authorization;
  if (!header?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(header.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function startTokenServer(options: TokenServerOptions): Promise<TokenServer> {
  const log: TokenRequest[] = [];
  const refreshTokens = new Map<string, string>(); // refresh token -> username

  const findUser = (username: string, password: string): RegistryUser | undefined =>
    options.users.find((u) => u.username === username && u.password === password);
  const userByName = (username: string): RegistryUser | undefined =>
    options.users.find((u) => u.username === username);
  const issueRefreshToken = (username: string): string => {
    const token = crypto.randomBytes(32).toString('base64url');
    refreshTokens.set(token, username);
    return token;
  };
  const checkService = (service: string | null, required: boolean): void => {
    if (service === null ? required : service !== options.service) {
      throw new HttpError(400, `service must be ${options.service}`);
    }
  };
  const issue = (user: RegistryUser | undefined, scopes: string[], entry: TokenRequest) => {
    const granted: GrantedAccess[] = grantAccess(
      user ? user.access : options.anonymousAccess,
      parseScopes(scopes),
    );
    entry.granted = granted;
    const { token, issuedAt } = options.signer.sign({
      issuer: options.issuer,
      audience: options.service,
      subject: user?.username ?? '',
      access: granted,
      lifetimeSeconds: options.lifetimeSeconds,
    });
    return { token, expires_in: options.lifetimeSeconds, issued_at: issuedAt.toISOString() };
  };

  /** GET realm: Docker token protocol. */
  const getToken = (req: http.IncomingMessage, params: URLSearchParams, entry: TokenRequest) => {
    checkService(params.get('service'), false);
    const creds = basicCredentials(req);
    let user: RegistryUser | undefined;
    if (creds) {
      const viaRefresh = creds.user === NULL_GUID_USER ? refreshTokens.get(creds.password) : undefined;
      user = viaRefresh ? userByName(viaRefresh) : findUser(creds.user, creds.password);
      if (!user) throw new HttpError(401, 'invalid username or password');
      entry.user = user.username;
    }
    const { token, expires_in, issued_at } = issue(user, entry.scopes, entry);
    const refresh =
      user && params.get('offline_token') === 'true' ? issueRefreshToken(user.username) : undefined;
    return {
      token,
      access_token: token,
      expires_in,
      issued_at,
      ...(refresh ? { refresh_token: refresh } : {}),
    };
  };

  /** POST realm: OAuth2 form (refresh_token or password grant). */
  const postToken = (form: URLSearchParams, entry: TokenRequest) => {
    checkService(form.get('service'), true);
    let user: RegistryUser | undefined;
    if (entry.grantType === 'refresh_token') {
      const name = refreshTokens.get(form.get('refresh_token') ?? '');
      user = name === undefined ? undefined : userByName(name);
      if (!user) throw new HttpError(401, 'invalid refresh token');
    } else if (entry.grantType === 'password') {
      user = findUser(form.get('username') ?? '', form.get('password') ?? '');
      if (!user) throw new HttpError(401, 'invalid username or password');
    } else {
      throw new HttpError(400, 'unsupported grant_type');
    }
    entry.user = user.username;
    const { token, expires_in, issued_at } = issue(user, entry.scopes, entry);
    const offline = entry.grantType === 'password' && form.get('access_type') === 'offline';
    return {
      access_token: token,
      expires_in,
      issued_at,
      scope: entry.scopes.join(' '),
      ...(offline ? { refresh_token: issueRefreshToken(user.username) } : {}),
    };
  };

  /** POST /oauth2/exchange: ACR's Entra token -> refresh token. */
  const exchange = (form: URLSearchParams, entry: TokenRequest) => {
    if (entry.grantType !== 'access_token') throw new HttpError(400, 'unsupported grant_type');
    checkService(form.get('service'), true);
    const accessToken = form.get('access_token') ?? '';
    const name =
      typeof options.entraTokens === 'function'
        ? options.entraTokens(accessToken)
        : options.entraTokens[accessToken];
    const user = name === undefined ? undefined : userByName(name);
    if (!user) throw new HttpError(401, 'access token not accepted');
    entry.user = user.username;
    return { refresh_token: issueRefreshToken(user.username) };
  };

  const handle = async (req: http.IncomingMessage, entry: TokenRequest): Promise<object> => {
    const url = new URL(req.url ?? '/', 'http://token-server');
    if (url.pathname === '/oauth2/token' && req.method === 'GET') {
      entry.scopes = parseScopeParams(url.searchParams.getAll('scope'));
      entry.service = url.searchParams.get('service') ?? undefined;
      return getToken(req, url.searchParams, entry);
    }
    const isPost = req.method === 'POST';
    if (isPost && (url.pathname === '/oauth2/token' || url.pathname === '/oauth2/exchange')) {
      const form = new URLSearchParams(await readBody(req));
      entry.grantType = form.get('grant_type') ?? undefined;
      entry.service = form.get('service') ?? undefined;
      entry.scopes = parseScopeParams(form.getAll('scope'));
      if (url.pathname === '/oauth2/exchange') {
        entry.endpoint = 'exchange';
        return exchange(form, entry);
      }
      return postToken(form, entry);
    }
    throw new HttpError(404, 'not found');
  };

  const server = http.createServer((req, res) => {
    const entry: TokenRequest = {
      endpoint: 'token',
      method: req.method ?? '',
      scopes: [],
      granted: [],
      status: 0,
    };
    log.push(entry);
    const reply = (status: number, body: object) => {
      entry.status = status;
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    handle(req, entry).then(
      (body) => reply(200, body),
      (err: unknown) => {
        entry.user = undefined;
        entry.granted = [];
        const status = err instanceof HttpError ? err.status : 500;
        const message = err instanceof Error ? err.message : String(err);
        reply(status, { errors: [{ code: status === 401 ? 'UNAUTHORIZED' : 'DENIED', message }] });
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = options.publicOrigin ?? `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const port = (server.address() as AddressInfo).port;

  return {
    url,
    port,
    realm: `${url}/oauth2/token`,
    requests: () => log.filter((e) => e.status !== 0).map((e) => structuredClone(e)),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function parseScopeParams(values: string[]): string[] {
  return values.flatMap((v) => v.split(' ')).filter((s) => s !== '');
}
