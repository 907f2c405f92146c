// Key Vault keys through an AzureRM connection: the connection's credential (and the agent's
// network settings) for the vault a key reference names. Importing this module loads the Azure
// SDK: ./keyVaultKeyAccess loads it only when a run names a Key Vault key.
import {
  createKeyVaultKeys,
  createKeyVaultSigner,
  readTrustedKey,
  resolveVaultAddress,
  type KeyReference,
  type KeyVaultKeys,
} from '../keyvault';
import type { PayloadSigner, TrustedKey } from '../signatures';
import { azureCredentialFromConnection } from './azureConnection';
import { agentLogger } from './logger';

function keysFor(ref: KeyReference, connectionId: string, input: string): KeyVaultKeys {
  const azure = azureCredentialFromConnection(connectionId);
  const vault = resolveVaultAddress(ref.vault, azure.cloud.keyVaultDnsSuffix, input);
  if (!vault.verifyChallengeResource) {
    agentLogger.warn(
      `Input '${input}': ${vault.url} is outside the Key Vault domain of the connection's cloud ` +
        `(${azure.cloud.keyVaultDnsSuffix ?? 'none'}): the resource named by the vault's sign-in challenge is not verified.`,
    );
  }
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
