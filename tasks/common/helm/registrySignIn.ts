import { UserError } from '../errors';
import type { ToolLogin } from '../registry';
import type { HelmRunner } from './helmRunner';
import { helmRegistryLogin } from './registryLogin';

/** Which sign-in the task's inputs give Helm (the credentials themselves stay in the registry client). */
export interface RegistrySignIn {
  /** A Docker registry service connection: the host it covers; `entra` when it signs in with Entra ID. */
  readonly connection?: { readonly id: string; readonly host: string; readonly entra: boolean };
  /** Entra ID through an AzureRM connection, for hosts the registry connection does not cover (ACR). */
  readonly entra: boolean;
}

/** Where Helm's login comes from: the registry client's authenticator (one exchange per registry). */
export interface ToolLogins {
  toolLogin(host: string): Promise<ToolLogin | undefined>;
}

export interface SignInDeps {
  readonly helm: HelmRunner;
  readonly logins: ToolLogins;
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
  const { connection } = signIn;
  if (connection && connection.host !== host) {
    throw new UserError(
      `The registry connection '${connection.id}' is for ${connection.host}, but the chart registry is ${host}: ` +
        'name a connection for that registry.',
    );
  }
  if (!connection && !signIn.entra) return 'anonymous';
  // The registry library checks where the registry signs in and does ACR's Entra ID exchange.
  const login = await deps.logins.toolLogin(host);
  if (!login) return 'anonymous';
  await helmRegistryLogin(deps.helm, host, login, plainHttp);
  return connection && !connection.entra ? 'connection' : 'entra';
}
