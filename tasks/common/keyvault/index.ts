// Key Vault secrets into a job: the secret selection, reading the vault (throttling, versions),
// variable names, placeholders rendered into files in their encodings, and the summary.
export { MISSING_POLICIES, planInjection, type InjectionPlan, type MissingPolicy } from './injectionPlan';
export { validatePlaceholderSyntax, type PlaceholderSyntax } from './placeholders';
export { UNRESOLVED_POLICIES, type RenderOptions } from './renderFiles';
export { parseSecretSelection, type SecretSelection } from './secretSelection';
export { summaryMarkdown } from './summaryMarkdown';
export { ENCODINGS, type EncodingName } from './valueEncodings';
export { NAMING_STYLES, type NamingOptions } from './variableNames';
export { resolveVaultAddress, type VaultAddress } from './vaultAddress';
export { createVaultReader, type VaultReader } from './vaultReader';
