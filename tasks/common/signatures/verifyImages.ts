import { UserError } from '../errors';
import type { Logger } from '../log';
import { mapLimit } from '../net';
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

/** Images verified at once (each a handful of small registry reads). */
const GATE_CONCURRENCY = 4;

/** An image is verified once per repository and digest, however often it is listed. */
const keyOf = (image: ImageInRegistry): string =>
  `${image.at.registry}/${image.at.repository}@${image.digest}`;

type Outcome = { readonly verified: VerifiedImage } | { readonly reason: string };

/**
 * Checks every image under `trust`, GATE_CONCURRENCY at once, each repository and digest once;
 * refusals are collected, not thrown (other errors are). Answers in the order of `images`.
 */
export async function checkImages(
  client: Pick<RegistryClient, 'http' | 'referrersApi'>,
  images: readonly ImageInRegistry[],
  trust: PreparedTrust,
  logger: Logger,
): Promise<SignatureCheck> {
  const unique = new Map<string, ImageInRegistry>();
  for (const image of images) if (!unique.has(keyOf(image))) unique.set(keyOf(image), image);
  const outcomes = new Map<string, Outcome>();
  await mapLimit([...unique.entries()], GATE_CONCURRENCY, async ([key, image]) => {
    try {
      const source = registryArtifactSource(client, image.at);
      outcomes.set(key, { verified: await verifyImage(image, trust, source, { logger }) });
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      outcomes.set(key, { reason: err.message });
    }
  });
  if (unique.size < images.length) {
    logger.info(`${images.length - unique.size} image(s) listed again with the same digest: verified once.`);
  }
  const verified: VerifiedImage[] = [];
  const refused: RefusedImage[] = [];
  for (const image of images) {
    const outcome = outcomes.get(keyOf(image)) as Outcome;
    if ('reason' in outcome) refused.push({ image, reason: outcome.reason });
    else verified.push({ ...outcome.verified, reference: image.reference });
  }
  return { verified, refused };
}

/**
 * The gate for a run: every image is checked (none skipped after a failure) before the caller
 * writes anything; one failure fails the run with every failing image's reasons (each once).
 */
export async function verifyImages(
  client: Pick<RegistryClient, 'http' | 'referrersApi'>,
  images: readonly ImageInRegistry[],
  trust: PreparedTrust,
  logger: Logger,
): Promise<VerifiedImage[]> {
  const { verified, refused } = await checkImages(client, images, trust, logger);
  const failures = [...new Set(refused.map((r) => r.reason))];
  if (refused.length === 1 && images.length === 1) throw new UserError(failures[0] as string);
  if (refused.length > 0) {
    throw new UserError(
      `${refused.length} of ${images.length} image(s) failed signature verification; nothing was written.\n${failures.join('\n')}`,
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
