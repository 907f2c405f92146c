import { inputs } from '../common/agent';
import { UserError } from '../common/errors';
import { readSignatureGateInputs, type PendingSignatureGate, type SignatureGate } from '../common/signatures';
import { PIN_ACTIONS, type PinAction, parsePlatform, PIN_FORMATS, type PinFormat } from '../common/pinning';

/** PinImageDigests@1 inputs, read once and validated. */
export interface PinImageDigestsInputs {
  readonly files: readonly string[];
  readonly workingDirectory: string;
  readonly action: PinAction;
  readonly pinFormat: PinFormat;
  readonly platform: string | undefined;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly failOnMutableTags: boolean;
  readonly failOnDrift: boolean;
  readonly lockFile: string | undefined;
  readonly publishLockFile: boolean;
  readonly containerRegistry: string | undefined;
  readonly azureSubscription: string | undefined;
  readonly insecureRegistries: readonly string[];
  /**
   * verify: the signature gate's trust policy; undefined when `verifySignatures` is none; pending
   * while its cosign key is a Key Vault key still to be read (completeSignatureGate).
   */
  readonly signatureGate: SignatureGate | PendingSignatureGate | undefined;
}

export function readInputs(): PinImageDigestsInputs {
  const files = inputs.lines('files');
  if (files.length === 0)
    throw new UserError("Input 'files' is required: glob patterns of the files to pin, one per line.");
  const platform = inputs.parsed('platform', (text) => (parsePlatform(text), text));
  const action = inputs.choice('action', PIN_ACTIONS, 'pin');
  const workingDirectory = inputs.optional('workingDirectory') ?? process.cwd();
  // Trust-policy files are read from the working directory, as the files to pin are.
  const signatureGate = readSignatureGateInputs(inputs, workingDirectory);
  if (signatureGate && action !== 'verify') {
    throw new UserError(
      `Input 'verifySignatures' applies to action verify only (action is ${action}): sign and verify the digests pinned, or set it to none.`,
    );
  }
  return {
    files,
    workingDirectory,
    action,
    pinFormat: inputs.choice('pinFormat', PIN_FORMATS, 'tagAndDigest'),
    platform,
    include: inputs.lines('include'),
    exclude: inputs.lines('exclude'),
    failOnMutableTags: inputs.boolean('failOnMutableTags', true),
    failOnDrift: inputs.boolean('failOnDrift', false),
    lockFile: inputs.optional('lockFile'),
    publishLockFile: inputs.boolean('publishLockFile', false),
    containerRegistry: inputs.connection('containerRegistry'),
    azureSubscription: inputs.connection('azureSubscription'),
    insecureRegistries: inputs.lines('insecureRegistries'),
    signatureGate,
  };
}
