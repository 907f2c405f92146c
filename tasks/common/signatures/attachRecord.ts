// Writes the promotion record of one promoted image to its target repository.
import { UserError } from '../errors';
import {
  attachReferrer,
  findManifest,
  imageIn,
  type RegistryClient,
  type RepositoryLocation,
  type ResolvedManifest,
} from '../registry';
import { promotionStatement, type PromotionFacts } from './promotionRecord';
import { recordArtifact } from './recordArtifact';
import type { PayloadSigner } from './signer';

export interface AttachedRecord {
  readonly digest: string;
  readonly via: 'api' | 'fallback-tag';
  /** The signing key's id and fingerprint (`<keyId> (sha256:<16 hex>)`), undefined when unsigned. */
  readonly signedBy: string | undefined;
  /** Registry requests the record took. */
  readonly requests: number;
}

/**
 * `image`: the promoted digest, looked up in `at`; or the manifest's descriptor when the run itself
 * just pushed or verified it there (the copy report), which saves the lookup.
 */
export async function attachPromotionRecord(
  client: Pick<RegistryClient, 'http' | 'referrersApi' | 'stats'>,
  at: RepositoryLocation,
  image: string | ResolvedManifest,
  facts: PromotionFacts,
  signer?: PayloadSigner,
): Promise<AttachedRecord> {
  const before = client.stats.requests;
  const digest = typeof image === 'string' ? image : image.digest;
  const subject =
    typeof image === 'string' ? await findManifest(client.http, imageIn(at, { digest })) : image;
  if (subject?.digest !== digest) {
    throw new UserError(
      `The promotion record cannot be attached: ${at.registry}/${at.repository}@${digest} is not in the target registry.`,
    );
  }
  const { signedBy, ...artifact } = await recordArtifact(
    promotionStatement(digest, facts),
    facts.promotedAt,
    signer,
  );
  const attached = await attachReferrer(
    { http: client.http, apiSupport: client.referrersApi },
    at,
    subject,
    artifact,
  );
  return { ...attached, signedBy, requests: client.stats.requests - before };
}
