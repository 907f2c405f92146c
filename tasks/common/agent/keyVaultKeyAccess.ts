// Key Vault keys named by tasks (a cosign public key to verify with, a key to sign with), through
// the front door; the Azure SDK and the keys client (./keyVaultKeys) load on first use.
import { UserError } from '../errors';
import { parseKeyReference, type KeyReference } from '../keyvault/keyReference';
import type { PayloadSigner, PendingSignatureGate, SignatureGate } from '../signatures';
import { agentLogger } from './logger';

// The reference parser, for task inputs: from its module, not the keyvault front door, so that the
// rest of keyvault stays out of every task's start-up bundle.
export { parseKeyReference, type KeyReference };

function needsConnection(
  input: string,
  ref: KeyReference,
  connectionId: string | undefined,
  connectionInput = 'azureSubscription',
): string {
  if (connectionId === undefined) {
    throw new UserError(
      `Input '${input}' names a Key Vault key (${ref.text}): set '${connectionInput}' to the Azure Resource Manager ` +
        'service connection whose identity may read it (keys/get; keys/sign to sign).',
    );
  }
  return connectionId;
}

/**
 * The signature gate with its Key Vault key read: a PendingSignatureGate (cosignPublicKey
 * `azurekms://...`) gets the key's public key, named by its key id with the version read, through
 * the AzureRM connection `connectionInput` names (`azureSubscription` unless the task says).
 */
export async function completeSignatureGate(
  gate: SignatureGate | PendingSignatureGate | undefined,
  azureSubscription: string | undefined,
  connectionInput = 'azureSubscription',
): Promise<SignatureGate | undefined> {
  if (gate === undefined || !('keyReference' in gate)) return gate;
  const ref = parseKeyReference(gate.keyReference, 'cosignPublicKey');
  const connection = needsConnection('cosignPublicKey', ref, azureSubscription, connectionInput);
  const { trustedKeyFromVault } = await import('./keyVaultKeys.js');
  const key = await trustedKeyFromVault(ref, connection, 'cosignPublicKey');
  agentLogger.info(`Trusted cosign key read from Key Vault: ${key.name}.`);
  return gate.complete(key);
}

/** A signer over the Key Vault key `input` names; its public key is read now, so a wrong key fails early. */
export async function keyVaultSigner(
  ref: KeyReference,
  azureSubscription: string | undefined,
  input: string,
): Promise<PayloadSigner> {
  const connection = needsConnection(input, ref, azureSubscription);
  const { signerFromVault } = await import('./keyVaultKeys.js');
  return signerFromVault(ref, connection, input);
}
