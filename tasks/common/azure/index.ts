// Azure Resource Manager connections, their clouds, and Entra ID sign-in for ACR and workload
// identity federation. Not here: ./credentialFactory, the one module that loads the Azure SDK
// (@azure/identity) when it is loaded: the agent layer imports it where a credential is built,
// and tasks that only may need one load it lazily.
export { acrEntraScope, acrEntraTokenProvider } from './acrTokenProvider';
export { resolveAzureCloud, type AzureCloud } from './cloud';
export { isSecretParameter, type AzureRmConnection } from './connection';
export type { AzureConnectionCredential, AzureCredentialContext } from './credentialFactory';
export { unverifiedJwtClaims } from './jwtClaims';
export {
  PipelineOidcAssertion,
  type OidcRetryOptions,
  type OidcTokenRequest,
  type PipelineOidcContext,
} from './pipelineOidcAssertion';
