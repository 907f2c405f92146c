import { UserError } from '../errors';
import type { Logger } from '../log';
import type { RegistryClient, RepositoryLocation } from '../registry';
import { verifyImage, type VerifiedImage } from './gate';
import { registryArtifactSource } from './registrySource';
import type { PreparedTrust } from './trust';

/** An image the gate checks where it is read from: its repository and the exact digest. */
export interface ImageInRegistry {
  readonly reference: string;
  readonly at: RepositoryLocation;
  readonly digest: string;
}

/** An image the gate refused, and the gate's message saying why. */
export interface RefusedImage {
  readonly image: ImageInRegistry;
  readonly reason: string;
}

/** Every image checked (none skipped after a refusal): the verified ones and the refused ones. */
export interface SignatureCheck {
  readonly verified: VerifiedImage[];
  readonly refused: RefusedImage[];
}

/** Checks every image under `trust`; refusals are collected, not thrown (other errors are). */
export async function checkImages(
  client: Pick<RegistryClient, 'http' | 'referrersApi'>,
  images: readonly ImageInRegistry[],
  trust: PreparedTrust,
  logger: Logger,
): Promise<SignatureCheck> {
  const verified: VerifiedImage[] = [];
  const refused: RefusedImage[] = [];
  for (const image of images) {
    try {
      const source = registryArtifactSource(client, image.at);
      verified.push(await verifyImage(image, trust, source, { logger }));
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      refused.push({ image, reason: err.message });
    }
  }
  return { verified, refused };
}

/**
 * The gate for a run: every image is checked (none skipped after a failure) before the caller
 * writes anything; one failure fails the run with every failing image's reasons.
 */
export async function verifyImages(
  client: Pick<RegistryClient, 'http' | 'referrersApi'>,
  images: readonly ImageInRegistry[],
  trust: PreparedTrust,
  logger: Logger,
): Promise<VerifiedImage[]> {
  const { verified, refused } = await checkImages(client, images, trust, logger);
  const failures = refused.map((r) => r.reason);
  if (failures.length === 1 && images.length === 1) throw new UserError(failures[0] as string);
  if (failures.length > 0) {
    throw new UserError(
      `${failures.length} of ${images.length} image(s) failed signature verification; nothing was written.\n${failures.join('\n')}`,
    );
  }
  return verified;
}

/** What a task outputs (`verifiedSignatures`, JSON) per verified image: whose signature was accepted. */
export function signatureRecord(v: VerifiedImage) {
  return {
    image: v.reference,
    digest: v.digest,
    kind: v.accepted.kind,
    signer: v.accepted.description,
    where: v.accepted.where,
    attestations: v.attestations.map((a) => a.predicateType),
  };
}
