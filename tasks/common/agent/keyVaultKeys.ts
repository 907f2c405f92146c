// Key Vault keys through an AzureRM connection: the connection's credential (and the agent's
// network settings) for the vault a key reference names. Importing this module loads the Azure
// SDK: ./keyVaultKeyAccess loads it only when a run names a Key Vault key.
import {
  createKeyVaultKeys,
  createKeyVaultSigner,
  readTrustedKey,
  resolveVaultAddress,
  unverifiedVaultWarning,
  type KeyReference,
  type KeyVaultKeys,
} from '../keyvault';
import type { PayloadSigner, TrustedKey } from '../signatures';
import { azureCredentialFromConnection } from './azureConnection';
import { agentLogger } from './logger';

function keysFor(ref: KeyReference, connectionId: string, input: string): KeyVaultKeys {
  const azure = azureCredentialFromConnection(connectionId);
  const vault = resolveVaultAddress(ref.vault, azure.cloud.keyVaultDnsSuffix, input);
  const warning = unverifiedVaultWarning(vault, azure.cloud.keyVaultDnsSuffix, input);
  if (warning) agentLogger.warn(warning);
  return createKeyVaultKeys({
    vault,
    credential: azure.credential,
    additionalPolicies: azure.clientOptions.additionalPolicies,
  });
}

export function trustedKeyFromVault(
  ref: KeyReference,
  connectionId: string,
  input: string,
): Promise<TrustedKey> {
  return readTrustedKey(keysFor(ref, connectionId, input), ref);
}

export function signerFromVault(
  ref: KeyReference,
  connectionId: string,
  input: string,
): Promise<PayloadSigner> {
  return createKeyVaultSigner(keysFor(ref, connectionId, input), ref);
}
