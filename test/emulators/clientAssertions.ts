// Checks a client_assertion the way Entra ID does: a certificate assertion (iss = sub = client id,
// signed with a certificate registered on the app, found by its x5t#S256 or x5t header) or a
// federated one (iss/sub/aud matching a federated identity credential of the app, signed by
// that issuer's key, e.g. the Azure DevOps OIDC fixture).
import crypto from 'node:crypto';
import { type EntraError, entraErrors } from './entraErrors';
import { type DecodedJwt, decodeJwt, nowSeconds, verifyJwtSignature } from './jwt';

export interface FederatedCredential {
  readonly issuer: string;
  readonly subject: string;
  /** Default `api://AzureADTokenExchange`. */
  readonly audience?: string;
}

export interface AssertionApp {
  readonly clientId: string;
  readonly certificates: readonly crypto.X509Certificate[];
  readonly federatedCredentials: readonly FederatedCredential[];
}

export type AssertionResult =
  { ok: true; kind: 'certificate' | 'federated' } | { ok: false; error: EntraError };

const fail = (error: EntraError): AssertionResult => ({ ok: false, error });

const claim = (jwt: DecodedJwt, name: string) => {
  const value = jwt.claims[name];
  return typeof value === 'string' ? value : '';
};

const thumbprint = (cert: crypto.X509Certificate, alg: 'sha1' | 'sha256') =>
  crypto.createHash(alg).update(cert.raw).digest('base64url');

function timeError(jwt: DecodedJwt): EntraError | undefined {
  const now = nowSeconds();
  const exp = Number(jwt.claims['exp']);
  const nbf = Number(jwt.claims['nbf'] ?? jwt.claims['iat'] ?? 0);
  if (!Number.isFinite(exp)) return entraErrors.malformedAssertion();
  return now >= exp || now < nbf - 300 ? entraErrors.assertionExpired(nbf, exp, now) : undefined;
}

function checkCertificateAssertion(
  jwt: DecodedJwt,
  app: AssertionApp,
  tokenEndpoint: string,
): AssertionResult {
  const s256 = jwt.header['x5t#S256'];
  const s1 = jwt.header['x5t'];
  const cert = app.certificates.find(
    (c) =>
      (typeof s256 === 'string' && thumbprint(c, 'sha256') === s256) ||
      (typeof s1 === 'string' && thumbprint(c, 'sha1') === s1),
  );
  if (!cert) {
    const header = typeof s1 === 'string' ? s1 : typeof s256 === 'string' ? s256 : '';
    const presented = Buffer.from(header, 'base64url').toString('hex').toUpperCase();
    return fail(entraErrors.certificateNotRegistered(presented, app.clientId));
  }
  if (!verifyJwtSignature(jwt, cert.publicKey)) return fail(entraErrors.invalidSignature());
  const aud = claim(jwt, 'aud');
  if (aud !== tokenEndpoint) return fail(entraErrors.assertionAudience(aud, tokenEndpoint));
  const expired = timeError(jwt);
  return expired ? fail(expired) : { ok: true, kind: 'certificate' };
}

function checkFederatedAssertion(
  jwt: DecodedJwt,
  app: AssertionApp,
  issuerKeys: ReadonlyMap<string, crypto.KeyObject>,
): AssertionResult {
  const iss = claim(jwt, 'iss');
  const sub = claim(jwt, 'sub');
  const aud = jwt.claims['aud'];
  const audiences = (Array.isArray(aud) ? aud : [aud]).map(String);
  const byIssuer = app.federatedCredentials.filter((f) => f.issuer === iss);
  if (byIssuer.length === 0) return fail(entraErrors.federatedIssuer(iss));
  const bySubject = byIssuer.filter((f) => f.subject === sub);
  if (bySubject.length === 0) return fail(entraErrors.federatedSubject(sub));
  const match = bySubject.find((f) => audiences.includes(f.audience ?? 'api://AzureADTokenExchange'));
  if (!match) return fail(entraErrors.federatedAudience(audiences.join(',')));
  const key = issuerKeys.get(iss);
  if (!key || !verifyJwtSignature(jwt, key)) return fail(entraErrors.federatedSignature());
  const expired = timeError(jwt);
  return expired ? fail(expired) : { ok: true, kind: 'federated' };
}

export function checkClientAssertion(
  assertion: string,
  app: AssertionApp,
  tokenEndpoint: string,
  issuerKeys: ReadonlyMap<string, crypto.KeyObject>,
): AssertionResult {
  const jwt = decodeJwt(assertion);
  if (!jwt) return fail(entraErrors.malformedAssertion());
  const iss = jwt.claims['iss'];
  return iss === app.clientId && jwt.claims['sub'] === app.clientId
    ? checkCertificateAssertion(jwt, app, tokenEndpoint)
    : checkFederatedAssertion(jwt, app, issuerKeys);
}
