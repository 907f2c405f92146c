import type { RegistrySignIn } from '../helm/registrySignIn';
import { entraRegistryCredential } from './entraRegistryCredential';
import { readRegistryConnection } from './registryConnections';

/**
 * How Helm signs in to a chart registry, from a task's connection inputs: a Docker registry
 * connection, else Entra ID through an AzureRM connection (ACR), else nobody. Secrets are
 * registered with the agent on read; the Azure SDK loads only when a token is needed.
 */
export function readHelmRegistrySignIn(
  registryConnection?: string,
  azureSubscription?: string,
): RegistrySignIn {
  if (registryConnection) return { connection: readRegistryConnection(registryConnection) };
  if (!azureSubscription) return {};
  return { entra: entraRegistryCredential(azureSubscription) };
}
