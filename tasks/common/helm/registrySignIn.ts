import { UserError } from '../errors';
import type { Logger, SecretRegistry } from '../log';
import { toolSignIn, type RegistryCredential } from '../registry';
import type { TransportOptions } from '../net';
import type { HelmRunner } from './helmRunner';
import { helmRegistryLogin } from './registryLogin';

/** How Helm signs in to a registry: the registry connection's credential, or Entra ID (ACR). */
export interface RegistrySignIn {
  /** A Docker registry service connection, reduced to its host and credential. */
  readonly connection?: {
    readonly id: string;
    readonly host: string;
    readonly credential: RegistryCredential;
  };
  /** Entra ID through the AzureRM connection: exchanged at the registry for a refresh token. */
  readonly entra?: Extract<RegistryCredential, { kind: 'entra' }>;
}

export interface SignInDeps {
  readonly helm: HelmRunner;
  readonly transport: TransportOptions;
  readonly logger: Logger;
  readonly secrets: SecretRegistry;
}

/**
 * Logs Helm in to `host` (password on stdin, private HELM_REGISTRY_CONFIG). Returns how it signed
 * in, for the log: 'connection', 'entra', or 'anonymous' when nothing was given.
 */
export async function signInHelm(
  deps: SignInDeps,
  host: string,
  plainHttp: boolean,
  signIn: RegistrySignIn,
): Promise<'connection' | 'entra' | 'anonymous'> {
  const { connection, entra } = signIn;
  if (connection && connection.host !== host) {
    throw new UserError(
      `The registry connection '${connection.id}' is for ${connection.host}, but the chart registry is ${host}: ` +
        'name a connection for that registry.',
    );
  }
  // A connection's own password or token first; Entra ID from the connection or the subscription.
  const own = connection?.credential;
  const credential = own && own.kind !== 'entra' ? own : (entra ?? own);
  if (!credential) return 'anonymous';
  // The registry library checks where the registry signs in and does ACR's Entra ID exchange.
  const login = await toolSignIn({
    host,
    plainHttp,
    credential,
    transport: deps.transport,
    logger: deps.logger,
    secrets: deps.secrets,
  });
  if (!login) return 'anonymous';
  await helmRegistryLogin(deps.helm, host, login, plainHttp);
  return credential.kind === 'entra' ? 'entra' : 'connection';
}
