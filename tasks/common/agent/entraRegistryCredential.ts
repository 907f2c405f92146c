import type { RegistryCredential } from '../registry';
import { acrEntraTokenProvider } from '../azure';
import { readAzureRmConnection } from './azureRmEndpoint';

/**
 * Entra ID sign-in for ACR through an Azure connection (an AzureRM connection, or a Docker registry
 * connection of type ACR with a managed identity or workload identity federation). The connection is read (and its secrets
 * registered) now; the Azure SDK is loaded only when a registry first asks for a token, so runs that
 * never need it do not pay for loading it.
 */
export function entraRegistryCredential(
  connectionId: string,
): Extract<RegistryCredential, { kind: 'entra' }> {
  const connection = readAzureRmConnection(connectionId);
  let provider: Promise<{ tenantId: string | undefined; token: () => Promise<string> }> | undefined;
  const load = () =>
    (provider ??= import('./azureConnection.js').then(({ azureCredentialFromConnection }) => {
      const azure = azureCredentialFromConnection(connection.id);
      return { tenantId: azure.tenantId, token: acrEntraTokenProvider(azure.credential, azure.cloud) };
    }));
  const credential = {
    kind: 'entra' as const,
    tenantId: undefined as string | undefined,
    async getAccessToken(): Promise<string> {
      const loaded = await load();
      credential.tenantId = loaded.tenantId;
      return loaded.token();
    },
  };
  return credential;
}
