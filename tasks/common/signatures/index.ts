// Front door of the signature verification core: trust policy, artifact source, the gate.
export { verifyImage } from './gate';
export type { AcceptedSignature, ImageToVerify, VerifiedImage, VerifyOptions } from './gate';
export { prepareTrust } from './trust';
export type { PreparedTrust } from './trust';
export { describeMatcher, validateTrustPolicy } from './policy';
export type {
  KeylessIdentity,
  KeylessPolicy,
  Matcher,
  NotationPolicy,
  RequiredAttestation,
  TrustedKey,
  TrustPolicy,
} from './policy';
export type { PayloadSigner } from './signer';
export { cosignTag } from './source';
export type { ArtifactSource, FetchedManifest, ReferrerDescriptor } from './source';
export type { FoundAttestation } from './attestations';
export type { Candidate, RejectReason, Signer, Verdict } from './verdict';
export * as mediaTypes from './mediaTypes';
export { registryArtifactSource, SIGNATURE_BLOB_LIMIT } from './registrySource';
export {
  checkImages,
  signatureRecord,
  verifyImages,
  type ImageInRegistry,
  type RefusedImage,
  type SignatureCheck,
} from './verifyImages';
export { checkSignatures, gateImages, signaturesMarkdown } from './gateImages';
export {
  KEY_REFERENCE_PREFIXES,
  readSignatureGateInputs,
  VERIFY_SIGNATURES,
  type PendingSignatureGate,
  type PolicyInputReader,
  type SignatureGate,
  type VerifySignatures,
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
  type VerificationFacts,
} from './promotionRecord';
export { attachPromotionRecord, type AttachedRecord } from './attachRecord';
