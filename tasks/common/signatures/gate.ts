import { UserError } from '../errors';
import { type Logger, silentLogger } from '../log';
import { type FoundAttestation, unmetRequirement } from './attestations';
import { evaluateCandidates } from './candidates';
import { cosignTag, type ArtifactSource } from './source';
import { prepareTrust, type PreparedTrust } from './trust';
import type { TrustPolicy } from './policy';
import type { Candidate, Signer } from './verdict';

/** The image to verify: how to name it in messages and the exact digest that must be signed. */
export interface ImageToVerify {
  /** E.g. `myacr.azurecr.io/app:1.2.3`. */
  readonly reference: string;
  readonly digest: string;
}

export interface AcceptedSignature extends Signer {
  readonly where: string;
}

export interface VerifiedImage {
  readonly reference: string;
  readonly digest: string;
  /** The first signature that verified under the policy: what the task reports. */
  readonly accepted: AcceptedSignature;
  readonly signatures: readonly AcceptedSignature[];
  readonly attestations: readonly FoundAttestation[];
  /** Candidates that did not verify (a valid signature elsewhere made them harmless). */
  readonly rejected: readonly Candidate[];
}

export interface VerifyOptions {
  readonly logger?: Logger;
  /** The time certificates and signature expiry are checked at (tests). */
  readonly now?: Date;
}

const line = (c: Candidate): string =>
  c.verdict.ok
    ? `${c.where}: verified (${c.verdict.signer.description})`
    : `${c.where}: ${c.verdict.reason} - ${c.verdict.detail}`;

/**
 * The signature gate: `image.digest` must carry a signature trusted by `policy` (and the required
 * attestations), read from `source`. Fails with a UserError naming the image, every candidate
 * found and why it does not verify; nothing here writes anywhere.
 */
export async function verifyImage(
  image: ImageToVerify,
  policy: TrustPolicy | PreparedTrust,
  source: ArtifactSource,
  options: VerifyOptions = {},
): Promise<VerifiedImage> {
  const trust = 'summary' in policy ? policy : prepareTrust(policy);
  const logger = options.logger ?? silentLogger;
  const name = `${image.reference}@${image.digest}`;
  const candidates = await evaluateCandidates(source, image.digest, trust, options.now ?? new Date());
  candidates.forEach((c) => logger.debug(`${name}: ${line(c)}`));

  const signatures: AcceptedSignature[] = [];
  const attestations: FoundAttestation[] = [];
  for (const c of candidates) {
    if (!c.verdict.ok) continue;
    if (c.verdict.statement)
      attestations.push({ ...c.verdict.statement, signer: c.verdict.signer.description, where: c.where });
    else signatures.push({ ...c.verdict.signer, where: c.where });
  }
  const rejected = candidates.filter((c) => !c.verdict.ok);
  const accepted = signatures[0];
  if (!accepted) {
    const found = candidates.length
      ? `Found ${candidates.length} candidate(s), none is a trusted signature of this digest:\n${candidates.map((c) => `  - ${line(c)}`).join('\n')}`
      : `Found no signature: no Sigstore bundle or Notation referrer, no tag ${cosignTag(image.digest, 'sig')}.`;
    throw new UserError(
      `Image ${name} is not signed under the trust policy (it trusts ${trust.summary}). ${found}\nCheck that this exact digest was signed by a trusted signer and that its signatures were copied with it.`,
    );
  }
  const unmet = (trust.policy.requiredAttestations ?? [])
    .map((r) => unmetRequirement(r, attestations))
    .filter((u): u is string => u !== undefined);
  if (unmet.length) {
    const others = candidates.filter((c) => !c.verdict.ok || c.verdict.statement);
    throw new UserError(
      `Image ${name} lacks required attestations: ${unmet.join('; ')}.` +
        (others.length ? `\nAttestations found:\n${others.map((c) => `  - ${line(c)}`).join('\n')}` : '') +
        `\nAttestations count only when signed under the trust policy with ${image.digest} as their subject.`,
    );
  }
  logger.info(`Signature of ${name} accepted: ${accepted.kind} ${accepted.description} (${accepted.where}).`);
  attestations.forEach((a) =>
    logger.info(`Attestation ${a.predicateType} of ${name} verified: ${a.signer}.`),
  );
  return { reference: image.reference, digest: image.digest, accepted, signatures, attestations, rejected };
}
