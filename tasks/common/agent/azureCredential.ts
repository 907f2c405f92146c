// The Azure credential of an AzureRM connection through the front door, loading the Azure SDK
// (./azureConnection) on first use instead of at start-up: most runs never need it.
import type { AzureConnectionCredential } from '../azure';

/** The credential for the AzureRM connection a task input names, with the agent's network settings. */
export async function azureConnectionCredential(connectionId: string): Promise<AzureConnectionCredential> {
  const { azureCredentialFromConnection } = await import('./azureConnection.js');
  return azureCredentialFromConnection(connectionId);
}
