import type { Logger } from '../log';
import { markdownCell, markdownCode } from '../markdown';
import type { RegistryClient } from '../registry';
import type { VerifiedImage } from './gate';
import type { SignatureGate } from './policyInputs';
import { checkImages, verifyImages, type ImageInRegistry, type SignatureCheck } from './verifyImages';

type GateClient = Pick<RegistryClient, 'http' | 'referrersApi'>;

const title = (gate: SignatureGate, count: number) => `Verify signatures (${gate.mode}) of ${count} image(s)`;

/**
 * A task's signature gate in its own log group: every image must be signed under the trust policy;
 * all are checked, then one UserError lists every refused image. Returns what was accepted.
 */
export function gateImages(
  client: GateClient,
  images: readonly ImageInRegistry[],
  gate: SignatureGate,
  logger: Logger,
): Promise<VerifiedImage[]> {
  return logger.group(title(gate, images.length), () => verifyImages(client, images, gate.trust, logger));
}

/** The same gate for a task that reports refusals with its own findings (DeployHelmChart). */
export function checkSignatures(
  client: GateClient,
  images: readonly ImageInRegistry[],
  gate: SignatureGate,
  logger: Logger,
): Promise<SignatureCheck> {
  return logger.group(title(gate, images.length), () => checkImages(client, images, gate.trust, logger));
}

function signatureRow(v: VerifiedImage): string {
  const attestations = v.attestations.map(
    (a) => `${markdownCode(a.predicateType)} (${markdownCell(a.signer)})`,
  );
  return `| ${markdownCode(v.reference)} | \`${v.digest}\` | ${v.accepted.kind}: ${markdownCell(v.accepted.description)} | ${markdownCell(v.accepted.where)} | ${attestations.join('<br>') || '-'} |`;
}

/** The summary section naming the signature (and attestations) accepted per image; '' without a gate. */
export function signaturesMarkdown(verified: readonly VerifiedImage[] | undefined, heading: string): string {
  if (!verified) return '';
  return [
    `#### ${heading}`,
    '',
    '| Image | Digest | Accepted signature | Found in | Attestations |',
    '| --- | --- | --- | --- | --- |',
    ...verified.map(signatureRow),
    '',
  ].join('\n');
}
