// Sign-in for tools that log in to a registry by themselves (helm registry login): the user name
// and password to give them, after the registry's token realm passed the same rule the registry
// client applies (realmPolicy), and after ACR's Entra ID exchange (entraExchange).
import { UserError } from '../errors';
import type { Logger, SecretRegistry } from '../log';
import type { RegistryCredential } from './credential';
import { parseChallenges } from './challenge';
import { exchangeEntraToken } from './entraExchange';
import { assertRealmAllowed } from './realmPolicy';
import { networkError } from './registryError';
import { retryPolicy } from '../net/retry';
import { RequestStats } from './stats';
import { Transport, TransportError, discard, type TransportOptions } from '../net/transport';

/** The user name ACR expects with a refresh token from `/oauth2/exchange`. */
export const ACR_TOKEN_USERNAME = '00000000-0000-0000-0000-000000000000';

export interface ToolSignInOptions {
  /** `myregistry.azurecr.io`, `host:port` */
  readonly host: string;
  /** The registry is reached over plain HTTP (loopback, insecureRegistries). */
  readonly plainHttp: boolean;
  readonly credential: RegistryCredential;
  readonly transport: TransportOptions;
  readonly logger: Logger;
  readonly secrets: SecretRegistry;
}

export interface ToolLogin {
  readonly username: string;
  readonly password: string;
}

/**
 * The login to hand a tool for `host`, or undefined for anonymous. Asks the registry where it
 * signs in (`GET /v2/`) and fails, sending nothing, when that token realm may not receive the
 * credential; an Entra ID credential is exchanged there for an ACR refresh token (registered as a
 * secret before it is returned).
 */
export async function toolSignIn(options: ToolSignInOptions): Promise<ToolLogin | undefined> {
  const { host, credential } = options;
  if (credential.kind === 'anonymous') return undefined;
  const transport = new Transport(options.transport, retryPolicy(), options.logger);
  try {
    const origin = new URL(`${options.plainHttp ? 'http' : 'https'}://${host}`);
    const ping = await pingRegistry(transport, host, origin);
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
    if (realm) assertRealmAllowed(host, origin, realm, kind, options.plainHttp);
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
    const refresh = await exchangeEntraToken(
      { transport, stats: new RequestStats(), secrets: options.secrets },
      { registry: host, realm, ...(bearer?.params['service'] ? { service: bearer.params['service'] } : {}) },
      credential,
    );
    return { username: ACR_TOKEN_USERNAME, password: refresh };
  } finally {
    transport.close();
  }
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
