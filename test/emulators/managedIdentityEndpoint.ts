// The managed identity endpoints of an Azure VM (IMDS: GET /metadata/identity/oauth2/token with
// `Metadata: true`) and of App Service (GET /msi/token with X-IDENTITY-HEADER), as plain http on
// 127.0.0.1 like the real ones, answering in their JSON shapes.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { requestUrl, sendJson } from './httpUtil';

export interface ManagedIdentityRegistration {
  readonly tenantId: string;
  readonly clientId: string;
  readonly objectId?: string;
  /** The VM's system-assigned identity: used when a request names no identity. */
  readonly systemAssigned?: boolean;
}

export type ManagedIdentityEndpointKind = 'imds' | 'appService';

export interface ManagedIdentityOutcome {
  readonly endpoint: ManagedIdentityEndpointKind;
  readonly clientId: string | undefined;
  readonly resource: string;
  readonly tenant?: string;
  readonly outcome: string;
}

export interface ManagedIdentityContext {
  readonly identities: readonly ManagedIdentityRegistration[];
  /** The secret App Service puts in IDENTITY_HEADER. */
  readonly identityHeader?: string;
  readonly lifetimeSeconds: number;
  issue(identity: ManagedIdentityRegistration, resource: string): { token: string; expiresOn: number };
  record(outcome: ManagedIdentityOutcome): void;
}

/** The route a path names, if it is one of the managed identity endpoints (a trailing slash is fine). */
export function managedIdentityRoute(
  method: string | undefined,
  path: string,
): ManagedIdentityEndpointKind | undefined {
  if (method !== 'GET') return undefined;
  const p = path.replace(/(.)\/$/, '$1');
  return p === '/metadata/identity/oauth2/token' ? 'imds' : p === '/msi/token' ? 'appService' : undefined;
}

export function answerManagedIdentity(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  endpoint: ManagedIdentityEndpointKind,
  ctx: ManagedIdentityContext,
): void {
  const q = requestUrl(req).searchParams;
  const resource = q.get('resource') ?? '';
  const clientId = q.get('client_id') ?? undefined;
  const deny = (status: number, error: string, description: string) => {
    ctx.record({ endpoint, clientId, resource, outcome: error });
    sendJson(res, status, { error, error_description: description });
  };
  if (endpoint === 'imds' && req.headers['metadata'] !== 'true') {
    return deny(400, 'invalid_request', 'Required metadata header not specified');
  }
  if (endpoint === 'appService' && req.headers['x-identity-header'] !== ctx.identityHeader) {
    return deny(401, 'unauthorized', 'The X-IDENTITY-HEADER is missing or wrong');
  }
  if (!resource) return deny(400, 'invalid_request', "Required query variable 'resource' is missing");
  const identity = clientId
    ? ctx.identities.find((i) => i.clientId === clientId)
    : ctx.identities.find((i) => i.systemAssigned === true);
  if (!identity) return deny(400, 'invalid_request', 'Identity not found');
  const { token, expiresOn } = ctx.issue(identity, resource.replace(/\/\.default$/, ''));
  ctx.record({ endpoint, clientId, resource, tenant: identity.tenantId, outcome: 'issued' });
  const lifetime = ctx.lifetimeSeconds;
  sendJson(res, 200, {
    access_token: token,
    client_id: identity.clientId,
    expires_in: String(lifetime),
    expires_on: String(expiresOn),
    ext_expires_in: String(lifetime),
    not_before: String(expiresOn - lifetime),
    resource,
    token_type: 'Bearer',
  });
}

/** A plain-http server for the managed identity endpoints only. */
export async function startManagedIdentityServer(
  ctx: ManagedIdentityContext,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const path = requestUrl(req).pathname;
    const route = managedIdentityRoute(req.method, path);
    if (route) return answerManagedIdentity(req, res, route, ctx);
    sendJson(res, 404, { error: 'not_found', error_description: `No ${req.method} ${path}` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
