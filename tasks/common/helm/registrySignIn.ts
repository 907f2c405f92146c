import { UserError } from '../errors';
import type { Logger, SecretRegistry } from '../log';
import type { RegistryCredential } from '../registry/auth';
import type { TransportOptions } from '../registry/transport';
import { acrRefreshToken } from './acrRefreshToken';
import type { HelmRunner } from './helmRunner';
import { ACR_TOKEN_USERNAME, helmRegistryLogin } from './registryLogin';

/** How Helm signs in to a registry: the registry connection's credential, or Entra ID (ACR). */
export interface RegistrySignIn {
  /** A Docker registry service connection, reduced to its host and credential. */
  readonly connection?: {
    readonly id: string;
    readonly host: string;
    readonly credential: RegistryCredential;
  };
  /** Entra ID through the AzureRM connection: exchanged at the registry for a refresh token. */
  readonly entra?: { readonly tenantId?: string; getAccessToken(): Promise<string> };
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
  if (connection) {
    if (connection.host !== host) {
      throw new UserError(
        `The registry connection '${connection.id}' is for ${connection.host}, but the chart registry is ${host}: ` +
          'name a connection for that registry.',
      );
    }
    const credential = connection.credential;
    if (credential.kind === 'anonymous') return 'anonymous';
    if (credential.kind === 'basic') {
      await helmRegistryLogin(deps.helm, host, credential, plainHttp);
      return 'connection';
    }
    if (credential.kind === 'refreshToken') {
      await helmRegistryLogin(
        deps.helm,
        host,
        { username: ACR_TOKEN_USERNAME, password: credential.refreshToken },
        plainHttp,
      );
      return 'connection';
    }
  }
  const viaEntra = entra ?? (connection?.credential.kind === 'entra' ? connection.credential : undefined);
  if (!viaEntra) return 'anonymous';
  const refreshToken = await acrRefreshToken({
    host,
    plainHttp,
    entra: viaEntra,
    transport: deps.transport,
    logger: deps.logger,
    secrets: deps.secrets,
  });
  await helmRegistryLogin(
    deps.helm,
    host,
    { username: ACR_TOKEN_USERNAME, password: refreshToken },
    plainHttp,
  );
  return 'entra';
}
