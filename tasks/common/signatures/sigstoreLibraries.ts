// The Sigstore libraries in one module, imported lazily (`await import('./sigstoreLibraries')`) so
// tasks that verify nothing never load them. A module of ours in between, rather than
// `import('@sigstore/...')` at each use: the task bundles are ES modules split at dynamic imports,
// and a CommonJS package imported dynamically there exposes only `default`, not its named exports.
export { bundleFromJSON, bundleToJSON, toDSSEBundle } from '@sigstore/bundle';
export { TrustedRoot } from '@sigstore/protobuf-specs';
export { toSignedEntity, toTrustMaterial, Verifier, VerificationError } from '@sigstore/verify';
