import type { RegistrySignIn } from '../helm';
import type { RegistryClient } from '../registry/client';
import { entraRegistryCredential } from './entraRegistryCredential';
import { registryClientFor } from './registryClient';
import { readRegistryConnection } from './registryConnections';

/** How Helm signs in to chart registries: which sign-in the inputs give, and the client holding it. */
export interface HelmRegistryAccess {
  readonly signIn: RegistrySignIn;
  /** Gives Helm its logins and answers the task's own registry questions: one exchange per registry. */
  readonly client: RegistryClient;
}

/**
 * Reads a task's registry sign-in inputs once: a Docker registry connection, else Entra ID through
 * an AzureRM connection (ACR), else nobody. Secrets are registered with the agent on read; the
 * Azure SDK loads only when a token is needed. When both are given, Helm signs in with the Azure
 * subscription where the connection would use Entra ID too.
 */
export function readHelmRegistryAccess(
  registryConnection: string | undefined,
  azureSubscription: string | undefined,
  insecureRegistries: readonly string[],
): HelmRegistryAccess {
  const connection = registryConnection ? readRegistryConnection(registryConnection) : undefined;
  const entra = azureSubscription ? entraRegistryCredential(azureSubscription) : undefined;
  const connectionEntra = connection?.credential.kind === 'entra';
  const connections = connection && !(connectionEntra && entra) ? [connection] : [];
  return {
    signIn: {
      ...(connection
        ? { connection: { id: connection.id, host: connection.host, entra: connectionEntra } }
        : {}),
      entra: entra !== undefined,
    },
    client: registryClientFor({ connections, ...(entra ? { entra } : {}) }, insecureRegistries),
  };
}
