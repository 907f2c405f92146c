// Key Vault secrets into a job: the secret selection, reading the vault (throttling, versions),
// variable names, placeholders rendered into files in their encodings, and the summary; keys as
// cosign keys (public key, signer) read and signed with through REST calls.
export { MISSING_POLICIES, planInjection, type MissingPolicy } from './injectionPlan';
export { validatePlaceholderSyntax } from './placeholders';
export { UNRESOLVED_POLICIES, type RenderOptions } from './renderFiles';
export { parseSecretSelection, type SecretSelection } from './secretSelection';
export { summaryMarkdown } from './summaryMarkdown';
export { ENCODINGS } from './valueEncodings';
export { NAMING_STYLES, type NamingOptions } from './variableNames';
export { resolveVaultAddress, unverifiedVaultWarning } from './vaultAddress';
export { createVaultReader, type VaultReader } from './vaultReader';
export { createKeyVaultKeys, type KeyVaultKeys } from './keyVaultKeys';
export { parseKeyReference, type KeyReference } from './keyReference';
export { createKeyVaultSigner, p1363ToDer, readTrustedKey } from './keySigner';
