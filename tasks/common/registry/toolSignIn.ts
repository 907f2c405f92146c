// Sign-in for tools that log in to a registry by themselves (helm registry login): the user name
// and password to give them, from the registry client's own authenticator, so a tool and the
// client share one credential, one realm rule (realmPolicy) and one ACR exchange per registry.
import { UserError } from '../errors';
import type { Authenticator } from './auth';
import { parseChallenges } from './challenge';
import { assertRealmAllowed } from './realmPolicy';
import { networkError } from './registryError';
import { TransportError, discard, type Transport } from '../net/transport';

/** The user name ACR expects with a refresh token from `/oauth2/exchange`. */
export const ACR_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

export interface ToolSignInDeps {
  /** The registry client's authenticator: its credentials and its exchanged refresh tokens. */
  readonly auth: Authenticator;
  readonly transport: Transport;
}

export interface ToolLogin {
  readonly username: string;
  readonly password: string;
}

/**
 * The login to hand a tool for `host` (reached over plain HTTP when `plainHttp`), or undefined for
 * anonymous. Asks the registry where it signs in (`GET /v2/`) and fails, sending nothing, when that
 * token realm may not receive the credential; an Entra ID credential becomes the authenticator's
 * ACR refresh token (exchanged once per registry and run, registered as a secret).
 */
export async function toolSignIn(
  deps: ToolSignInDeps,
  host: string,
  plainHttp: boolean,
): Promise<ToolLogin | undefined> {
  const credential = await deps.auth.credential(host);
  if (credential.kind === 'anonymous') return undefined;
  const origin = new URL(`${plainHttp ? 'http' : 'https'}://${host}`);
  const ping = await pingRegistry(deps.transport, host, origin);
  const bearer = parseChallenges(ping.challenge).find((c) => c.scheme === 'bearer' && c.params['realm']);
  let realm: URL | undefined;
  try {
    realm = bearer ? new URL(bearer.params['realm'] ?? '') : undefined;
  } catch {
    throw new UserError(
      `${host} named a token service that is not a URL; check its token auth setting (realm).`,
    );
  }
  const kind = credential.kind === 'entra' ? 'entra' : 'password';
  if (realm) assertRealmAllowed(host, origin, realm, kind, plainHttp);
  if (credential.kind === 'basic') return { username: credential.username, password: credential.password };
  if (credential.kind === 'refreshToken') {
    return { username: ACR_TOKEN_USERNAME, password: credential.refreshToken };
  }
  if (!realm) {
    throw new UserError(
      `${host} did not ask for a bearer token (HTTP ${ping.status}), so it is not an Azure Container Registry ` +
        `that accepts Entra ID sign-in: use a Docker registry service connection ('registryConnection') instead.`,
    );
  }
  const service = bearer?.params['service'];
  const refresh = await deps.auth.refreshTokenFor(
    host,
    { realm, ...(service ? { service } : {}) },
    credential,
  );
  return { username: ACR_TOKEN_USERNAME, password: refresh };
}

async function pingRegistry(
  transport: Transport,
  host: string,
  origin: URL,
): Promise<{ status: number; challenge: string | string[] | undefined }> {
  try {
    const res = await transport.send({ method: 'GET', url: new URL('/v2/', origin) });
    discard(res.body);
    return { status: res.status, challenge: res.headers['www-authenticate'] };
  } catch (err) {
    const op = { registry: host, operation: 'ask where to sign in (GET /v2/)', access: 'pull' as const };
    throw networkError(
      op,
      err instanceof TransportError ? err.cause : err,
      (err as TransportError).retries ?? 0,
    );
  }
}
