import { RegistryClient } from '../registry';
import { entraRegistryCredential } from './entraRegistryCredential';
import { agentHttpSettings } from './network';
import { agentLogger } from './logger';
import { credentialResolver, readRegistryConnection, type CredentialSources } from './registryConnections';
import { agentSecrets } from './secrets';

export interface RegistryAccess {
  /** `connectedService:dockerregistry` ids; earlier ones win for the same host. */
  readonly registryConnections: readonly (string | undefined)[];
  /** `connectedService:AzureRM` id: Entra ID sign-in for hosts no registry connection covers. */
  readonly azureSubscription?: string;
  readonly insecureRegistries: readonly string[];
}

/** One registry client for the task's run, signed in the way the task's inputs say. */
export function createRegistryClient(access: RegistryAccess): RegistryClient {
  const connections = access.registryConnections
    .filter((id): id is string => id !== undefined)
    .map(readRegistryConnection);
  const entra = access.azureSubscription ? entraRegistryCredential(access.azureSubscription) : undefined;
  return registryClientFor({ connections, ...(entra ? { entra } : {}) }, access.insecureRegistries);
}

/** A registry client over connections already read (each read once per run, its secrets registered). */
export function registryClientFor(
  sources: CredentialSources,
  insecureRegistries: readonly string[],
): RegistryClient {
  return new RegistryClient({
    credentials: credentialResolver(sources),
    insecureRegistries,
    transport: agentHttpSettings(),
    logger: agentLogger,
    secrets: agentSecrets,
  });
}
