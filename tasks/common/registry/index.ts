// The registry library's public surface: what tasks import.
export type { CredentialResolver, RegistryCredential } from './auth';
export type { RepositoryLocation } from './blobs';
export {
  RegistryClient,
  type FetchedManifest,
  type ManifestRef,
  type RegistryClientOptions,
  type ResolvedManifest,
} from './client';
export { copyImage, type CopyOptions, type CopyReport } from '../copy/copy';
export { digestProblem, validateDigest } from './digest';
export { isLoopbackHost } from './endpoints';
export { parseManifest, platformName, type Descriptor, type ParsedManifest, type Platform } from './manifest';
export * from './mediaTypes';
export type { CopyProgress } from '../copy/progress';
export {
  familiarString,
  imageReference,
  parseImageReference,
  validateTag,
  type ImageReference,
} from './reference';
export type { Referrers } from './referrers';
export { RegistryError, type RegistryErrorDetails, type RegistryOperation } from './registryError';
export type { RetryPolicy } from '../net/retry';
export { RequestStats, type RegistryCounters } from './stats';
export { ACR_TOKEN_USERNAME, type ToolLogin } from './toolSignIn';
export type { TransportOptions } from '../net/transport';
export type { ProxySettings } from '../net/proxyAgent';
