import { agentLogger } from '../common/agent';
import type { LockedImage } from '../common/lockfile';
import { parseImageReference, type RegistryClient } from '../common/registry';
import { gateImages, type SignatureGate, type VerifiedImage } from '../common/signatures';

/** verify with a trust policy: every pinned digest must be signed under it (all checked, then one failure). */
export function verifyPinnedImages(
  client: RegistryClient,
  images: readonly LockedImage[],
  gate: SignatureGate,
): Promise<VerifiedImage[]> {
  const toVerify = images.map((image) => {
    const ref = parseImageReference(image.resolved);
    // Named without the digest: the gate's messages add the digest it checks.
    return {
      reference: image.resolved.slice(0, image.resolved.lastIndexOf('@')),
      at: { registry: ref.registry, repository: ref.repository },
      digest: image.digest,
    };
  });
  return gateImages(client, toVerify, gate, agentLogger);
}
