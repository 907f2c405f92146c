// Front door of the signature verification core: trust policy, artifact source, the gate.
export { verifyImage } from './gate';
export type { VerifiedImage } from './gate';
export { prepareTrust } from './trust';
export { validateTrustPolicy } from './policy';
export type { KeylessIdentity, TrustedKey, TrustPolicy } from './policy';
export type { PayloadSigner } from './signer';
export { cosignTag } from './source';
export type { ArtifactSource, FetchedManifest, ReferrerDescriptor } from './source';
export type { Candidate } from './verdict';
export * as mediaTypes from './mediaTypes';
export { registryArtifactSource, SIGNATURE_BLOB_LIMIT } from './registrySource';
export { checkImages, signatureRecord, verifyImages, type ImageInRegistry } from './verifyImages';
export { checkSignatures, gateImages, signaturesMarkdown } from './gateImages';
export {
  KEY_REFERENCE_SCHEME,
  isKeyReference,
  readSignatureGateInputs,
  type PendingSignatureGate,
  type PolicyInputReader,
  type SignatureGate,
} from './policyInputs';
export {
  PROMOTION_PREDICATE,
  UNKNOWN,
  describePromotion,
  promotionStatement,
  type CheckFacts,
  type Known,
  type PipelineRunFacts,
  type PromotionFacts,
} from './promotionRecord';
export { attachPromotionRecord, type AttachedRecord } from './attachRecord';
