import { agentLogger } from '../common/agent';
import type { LockedImage } from '../common/lockfile';
import { markdownCell, markdownCode } from '../common/markdown';
import { parseImageReference, type RegistryClient } from '../common/registry';
import { verifyImages, type SignatureGate, type VerifiedImage } from '../common/signatures';

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
  return agentLogger.group(`Verify signatures (${gate.mode}) of ${toVerify.length} image(s)`, () =>
    verifyImages(client, toVerify, gate.trust, agentLogger),
  );
}

/** The summary's section naming the signature accepted per image. */
export function signaturesMarkdown(verified: readonly VerifiedImage[] | undefined): string {
  if (!verified) return '';
  return [
    '**Signatures verified**',
    '',
    '| Image | Accepted signature | Found in |',
    '| --- | --- | --- |',
    ...verified.map(
      (v) =>
        `| ${markdownCode(`${v.reference}@${v.digest}`)} | ${markdownCell(`${v.accepted.kind}: ${v.accepted.description}`)} | ${markdownCell(v.accepted.where)} |`,
    ),
    '',
  ].join('\n');
}
