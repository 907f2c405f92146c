import { agentLogger } from '../common/agent';
import { UserError } from '../common/errors';
import { findManifest, type RegistryClient } from '../common/registry';
import {
  gateImages,
  type ImageInRegistry,
  type SignatureGate,
  type VerifiedImage,
} from '../common/signatures';
import type { PromoteImageInputs } from './inputs';

/**
 * The signature gate, before anything is written: each source is resolved to the digest that will
 * be promoted (the tested digest where one is given) and that digest must be signed under the
 * trust policy. Returns the verified digests, which the copies then promote exactly.
 */
export async function gateSources(
  client: RegistryClient,
  options: PromoteImageInputs,
  gate: SignatureGate,
  digests: readonly (string | undefined)[],
): Promise<VerifiedImage[]> {
  const images: ImageInRegistry[] = [];
  for (const [i, { source }] of options.promotions.entries()) {
    const digest = digests[i] ?? source.digest ?? (await findManifest(client.http, source))?.digest;
    if (!digest) {
      throw new UserError(
        `The source image ${source.toString()} does not exist: check 'sourceImage' and the source connection.`,
      );
    }
    images.push({
      reference: source.toString(),
      at: { registry: source.registry, repository: source.repository },
      digest,
    });
  }
  return gateImages(client, images, gate, agentLogger);
}
