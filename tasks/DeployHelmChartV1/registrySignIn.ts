import { azureCredentialFromConnection } from '../common/agent/azureConnection';
import { readRegistryConnection } from '../common/agent/registryConnections';
import { acrEntraTokenProvider } from '../common/azure/acrTokenProvider';
import type { RegistrySignIn } from '../common/helm/registrySignIn';

/** The sign-in the task's connection inputs describe (secrets registered with the agent on read). */
export function readRegistrySignIn(registryConnection?: string, azureSubscription?: string): RegistrySignIn {
  if (registryConnection) return { connection: readRegistryConnection(registryConnection) };
  if (!azureSubscription) return {};
  const azure = azureCredentialFromConnection(azureSubscription);
  return {
    entra: { tenantId: azure.tenantId, getAccessToken: acrEntraTokenProvider(azure.credential, azure.cloud) },
  };
}
