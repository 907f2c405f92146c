// The registry protocol's front door: what the copy engine, pinning, Helm, the agent layer and the
// task folders use. Calls take the client's `http` (the registry HTTP layer); nothing here calls up.
export type { CredentialResolver, RegistryCredential } from './credential';
export { RegistryClient } from './client';
export type { RegistryHttp } from './registryHttp';
export {
  findManifest,
  getManifest,
  pushManifest,
  type FetchedManifest,
  type ResolvedManifest,
} from './manifests';
export { hasBlob, tryMount } from './blobs';
export { readTagLock, updateLock, type LockAttributes } from './acrLocks';
export { copyBlob } from './blobUpload';
export { firstTagPage, listTags, type TagListing } from './tags';
export {
  findReferrers,
  manifestOfTag,
  referrersFromApi,
  type Referrers,
  type ReferrersDeps,
} from './referrers';
export { attachReferrer, OCI_EMPTY, type NewReferrer } from './attachReferrer';
export { digestOf, digestProblem, digestTag, validateDigest } from './digest';
export { DockerConfigCredentials, configKeyHost } from './dockerConfig';
export { isInsecureRegistry } from './endpoints';
export {
  blobsOf,
  childrenOf,
  platformName,
  type Descriptor,
  type ParsedManifest,
  type Platform,
} from './manifest';
export * from './mediaTypes';
export {
  DOCKER_HUB,
  familiarString,
  imageIn,
  imageReference,
  parseImageReference,
  validateTag,
  type ImageReference,
  type RepositoryLocation,
} from './reference';
export { RegistryError } from './registryError';
export { ACR_TOKEN_USERNAME, type ToolLogin } from './toolSignIn';
