import { agentLogger, keyVaultSigner } from '../common/agent';
import type { PayloadSigner } from '../common/signatures';
import type { PromoteImageInputs } from './inputs';

/**
 * The signer of the promotion record (`signingKey`), or undefined when the record is not signed.
 * It reads the key's public key (and pins its version) when created: call it before anything is
 * written, so that a wrong key, vault or permission fails the task first.
 */
export async function recordSigner(options: PromoteImageInputs): Promise<PayloadSigner | undefined> {
  if (options.signingKey === undefined) return undefined;
  const signer = await keyVaultSigner(options.signingKey, options.azureSubscription, 'signingKey');
  agentLogger.info(`The promotion record will be signed with Key Vault key ${signer.keyId}.`);
  return signer;
}
