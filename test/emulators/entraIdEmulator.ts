// A Microsoft Entra ID emulator over HTTPS on 127.0.0.1: OpenID configuration, signing keys, the
// v2.0 token endpoint for client credentials (secret, certificate assertion, federated assertion),
// and the managed identity endpoints (IMDS and App Service style). Tokens are RS256 JWTs signed
// by the emulator's key; other emulators check them with verifyAccessToken().
import crypto from 'node:crypto';
import type http from 'node:http';
import { type FederatedCredential, checkClientAssertion } from './clientAssertions';
import { type EntraError, entraErrors, errorBody } from './entraErrors';
import { startHttpsServer } from './httpsServer';
import { readForm, requestUrl, sendJson } from './httpUtil';
import { decodeJwt, nowSeconds, signJwt, verifyJwtSignature } from './jwt';
import {
  type ManagedIdentityContext,
  type ManagedIdentityRegistration,
  answerManagedIdentity,
  managedIdentityRoute,
  startManagedIdentityServer,
} from './managedIdentityEndpoint';

export type { ManagedIdentityRegistration } from './managedIdentityEndpoint';

export interface EntraAppRegistration {
  readonly tenantId: string;
  readonly clientId: string;
  readonly objectId?: string;
  readonly secrets?: readonly string[];
  /** Certificates (PEM) registered on the app; a PEM holding a key too is fine. */
  readonly certificatePems?: readonly string[];
  readonly federatedCredentials?: readonly FederatedCredential[];
}

export interface EntraIdEmulatorOptions {
  readonly apps?: readonly EntraAppRegistration[];
  readonly managedIdentities?: readonly ManagedIdentityRegistration[];
  /** The secret App Service puts in IDENTITY_HEADER. */
  readonly identityHeader?: string;
  readonly tokenLifetimeSeconds?: number;
}

export type CredentialKind = 'secret' | 'certificate' | 'federated' | 'managedIdentity' | 'none';

export interface TokenRequestRecord {
  readonly endpoint: 'token' | 'imds' | 'appService';
  readonly tenant?: string;
  readonly clientId?: string;
  readonly resource?: string;
  readonly credential: CredentialKind;
  /** `issued`, or the AADSTS code / error that was answered. */
  readonly outcome: string;
}

export interface EntraIdEmulator {
  readonly url: string;
  /** The authority host a connection's activeDirectoryAuthority names: `url` + `/`. */
  readonly authorityHost: string;
  readonly caPem: string;
  readonly caFile: string;
  /**
   * Plain-http base URL of the managed identity endpoints, as on a VM (IMDS) or App Service:
   * `AZURE_POD_IDENTITY_AUTHORITY_HOST=<it>` (IMDS protocol) or `IDENTITY_ENDPOINT=<it>/msi/token`
   * with `IDENTITY_HEADER` (App Service protocol) point @azure/identity at it.
   */
  readonly managedIdentityUrl: string;
  readonly tokenRequests: TokenRequestRecord[];
  /** Every access token issued, so a test can check none of them was printed. */
  readonly issuedTokens: string[];
  addApp(app: EntraAppRegistration): void;
  addManagedIdentity(identity: ManagedIdentityRegistration): void;
  /** Accept federated assertions from `issuer` signed by `publicKey` (e.g. the OIDC fixture). */
  trustIssuer(issuer: string, publicKey: crypto.KeyObject): void;
  /** The claims of a token this emulator issued; throws if it did not issue it or it expired. */
  verifyAccessToken(token: string): Record<string, unknown>;
  stop(): Promise<void>;
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access']);

/** The v2.0 OpenID configuration MSAL reads (it checks the issuer against the authority). */
function openIdConfiguration(base: string, tenant: string) {
  return {
    token_endpoint: `${base}/${tenant}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`,
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    issuer: `${base}/${tenant}/v2.0`,
    request_uri_parameter_supported: false,
    authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${base}/${tenant}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/${tenant}/oauth2/v2.0/logout`,
    tenant_region_scope: 'EU',
  };
}

export async function startEntraIdEmulator(options: EntraIdEmulatorOptions = {}): Promise<EntraIdEmulator> {
  const apps: EntraAppRegistration[] = [...(options.apps ?? [])];
  const identities: ManagedIdentityRegistration[] = [...(options.managedIdentities ?? [])];
  const issuerKeys = new Map<string, crypto.KeyObject>();
  const tokenRequests: TokenRequestRecord[] = [];
  const issuedTokens: string[] = [];
  const lifetime = options.tokenLifetimeSeconds ?? 3599;
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = crypto
    .createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('base64url');
  let base = '';

  const tenants = () => new Set([...apps, ...identities].map((a) => a.tenantId));
  const objectIdOf = (p: { clientId: string; objectId?: string }) =>
    p.objectId ??
    crypto
      .createHash('sha256')
      .update(p.clientId)
      .digest('hex')
      .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/, '$1-$2-$3-$4-$5');

  function issue(
    tenant: string,
    principal: { clientId: string; objectId?: string },
    resource: string,
    acr: string,
  ) {
    const now = nowSeconds();
    const oid = objectIdOf(principal);
    const claims = {
      aud: resource,
      iss: `${base}/${tenant}/`,
      iat: now,
      nbf: now,
      exp: now + lifetime,
      appid: principal.clientId,
      appidacr: acr,
      idp: `${base}/${tenant}/`,
      idtyp: 'app',
      oid,
      sub: oid,
      tid: tenant,
      uti: crypto.randomBytes(16).toString('base64url'),
      ver: '1.0',
    };
    const token = signJwt(claims, privateKey, { kid });
    issuedTokens.push(token);
    return { token, expiresOn: now + lifetime };
  }

  function answerError(
    res: http.ServerResponse,
    req: http.IncomingMessage,
    err: EntraError,
    rec: Omit<TokenRequestRecord, 'outcome'>,
  ) {
    tokenRequests.push({ ...rec, outcome: `AADSTS${err.code}` });
    const correlation = req.headers['client-request-id'];
    sendJson(
      res,
      err.status,
      errorBody(err, base, typeof correlation === 'string' ? correlation : undefined),
    );
  }

  async function tokenEndpoint(req: http.IncomingMessage, res: http.ServerResponse, tenant: string) {
    const form = await readForm(req);
    const clientId = form.get('client_id') ?? undefined;
    const scopes = (form.get('scope') ?? '').split(' ').filter((s) => s && !OIDC_SCOPES.has(s));
    const scope = scopes.join(' ');
    const rec = {
      endpoint: 'token' as const,
      tenant,
      clientId,
      resource: scope,
      credential: 'none' as CredentialKind,
    };
    if (!tenants().has(tenant)) return answerError(res, req, entraErrors.tenantNotFound(tenant), rec);
    const grant = form.get('grant_type') ?? '';
    if (grant !== 'client_credentials')
      return answerError(res, req, entraErrors.unsupportedGrant(grant), rec);
    const app = apps.find((a) => a.tenantId === tenant && a.clientId === clientId);
    if (!app || !clientId) return answerError(res, req, entraErrors.appNotFound(clientId ?? '', tenant), rec);
    if (scopes.length !== 1 || !scope.endsWith('/.default')) {
      return answerError(res, req, entraErrors.invalidScope(scope), rec);
    }
    const secret = form.get('client_secret');
    const assertion = form.get('client_assertion');
    let kind: CredentialKind;
    if (secret !== null) {
      kind = 'secret';
      if (!(app.secrets ?? []).includes(secret)) {
        return answerError(res, req, entraErrors.invalidSecret(clientId), { ...rec, credential: kind });
      }
    } else if (assertion !== null && form.get('client_assertion_type') === ASSERTION_TYPE) {
      const checked = checkClientAssertion(
        assertion,
        {
          clientId,
          certificates: (app.certificatePems ?? []).map((pem) => new crypto.X509Certificate(pem)),
          federatedCredentials: app.federatedCredentials ?? [],
        },
        `${base}/${tenant}/oauth2/v2.0/token`,
        issuerKeys,
      );
      kind = checked.ok
        ? checked.kind
        : decodeJwt(assertion)?.claims['iss'] === clientId
          ? 'certificate'
          : 'federated';
      if (!checked.ok) return answerError(res, req, checked.error, { ...rec, credential: kind });
    } else {
      return answerError(res, req, entraErrors.missingCredential(), rec);
    }
    const resource = scope.slice(0, -'/.default'.length);
    const { token } = issue(tenant, app, resource, kind === 'secret' ? '1' : '2');
    tokenRequests.push({ ...rec, credential: kind, resource, outcome: 'issued' });
    sendJson(res, 200, {
      token_type: 'Bearer',
      expires_in: lifetime,
      ext_expires_in: lifetime,
      access_token: token,
    });
  }

  const managedIdentity: ManagedIdentityContext = {
    identities,
    identityHeader: options.identityHeader,
    lifetimeSeconds: lifetime,
    issue: (identity, resource) => issue(identity.tenantId, identity, resource, '2'),
    record: (o) => tokenRequests.push({ ...o, credential: 'managedIdentity' }),
  };

  const server = await startHttpsServer(async (req, res) => {
    const path = requestUrl(req).pathname;
    const msiRoute = managedIdentityRoute(req.method, path);
    if (msiRoute) return answerManagedIdentity(req, res, msiRoute, managedIdentity);
    const [tenant, ...rest] = path.split('/').filter(Boolean);
    const route = rest.join('/');
    if (tenant && req.method === 'GET' && route === 'v2.0/.well-known/openid-configuration') {
      if (!tenants().has(tenant))
        return sendJson(res, 400, errorBody(entraErrors.tenantNotFound(tenant), base));
      return sendJson(res, 200, openIdConfiguration(base, tenant));
    }
    if (tenant && req.method === 'GET' && route === 'discovery/v2.0/keys') {
      return sendJson(res, 200, {
        keys: [{ kty: 'RSA', use: 'sig', kid, ...publicKey.export({ format: 'jwk' }) }],
      });
    }
    if (tenant && req.method === 'POST' && route === 'oauth2/v2.0/token')
      return tokenEndpoint(req, res, tenant);
    sendJson(res, 404, {
      error: 'not_found',
      error_description: `The emulator has no ${req.method} ${path}`,
    });
  });
  base = server.url;
  const msiServer = await startManagedIdentityServer(managedIdentity);

  return {
    url: server.url,
    authorityHost: `${server.url}/`,
    caPem: server.caPem,
    caFile: server.caFile,
    managedIdentityUrl: msiServer.url,
    tokenRequests,
    issuedTokens,
    addApp: (app) => apps.push(app),
    addManagedIdentity: (identity) => identities.push(identity),
    trustIssuer: (issuer, key) => issuerKeys.set(issuer, key),
    verifyAccessToken(token) {
      const jwt = decodeJwt(token);
      if (!jwt || !verifyJwtSignature(jwt, publicKey))
        throw new Error('not a token issued by this Entra ID emulator');
      if (Number(jwt.claims['exp']) <= nowSeconds()) throw new Error('token expired');
      return jwt.claims;
    },
    async stop() {
      await Promise.all([msiServer.stop(), server.stop()]);
    },
  };
}
