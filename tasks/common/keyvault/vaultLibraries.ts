// The Azure SDK pieces that talk to a vault (the secrets client, the HTTP pipeline and Key Vault's
// challenge sign-in under it) and the check of their answers, in one module imported lazily
// (`await import('./vaultLibraries.js')`) on a run's first request to a vault: a run that fails
// on its inputs never loads them, nor node:https under them. A module of ours in between, as
// signatures/sigstoreLibraries.ts explains.
export { SecretClient } from '@azure/keyvault-secrets';
export {
  RestError,
  createDefaultHttpClient,
  createPipelineFromOptions,
  createPipelineRequest,
} from '@azure/core-rest-pipeline';
export { keyVaultAuthenticationPolicy } from '@azure/keyvault-common';
export { vaultAnswerPolicy } from './vaultAnswerPolicy';
