// Pinning image references to digests in workspace files (Kubernetes manifests, Helm values,
// Compose, Dockerfiles, kustomizations) and verifying them against a lock.
export { PIN_ACTIONS, pinImages, type PinAction, type PinOptions, type PinReport } from './pinImages';
export { declarePullScopes, parsePlatform, registryImageResolver } from './registryResolver';
export { findManifestImages, type ManifestImage } from './findManifestImages';
export { PIN_FORMATS, type PinFormat } from './types';
