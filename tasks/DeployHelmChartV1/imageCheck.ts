import { agentLogger } from '../common/agent';
import { UserError } from '../common/errors';
import { renderRelease, type HelmRunner, type UpgradeOptions } from '../common/helm';
import { findManifestImages, type ManifestImage } from '../common/pinning';
import { parseImageReference, type RegistryClient } from '../common/registry';
import { checkSignatures, type ImageInRegistry, type VerifiedImage } from '../common/signatures';
import type { ImageVerification } from './inputs';

/** An image the rendered chart runs, pinned (and signed, for `signed`). */
export interface CheckedImage {
  /** As the rendered manifest writes it: `host/app:1.2@sha256:...`. */
  readonly reference: string;
  readonly digest: string;
  /** `Deployment/web spec.template.spec.containers[0].image`... */
  readonly usedBy: readonly string[];
  /** The accepted signature (`cosign key: key ...`), for `signed`. */
  readonly signer: string | undefined;
}

export interface ImageCheck {
  readonly images: readonly CheckedImage[];
  readonly verified: readonly VerifiedImage[] | undefined;
}

interface Written {
  readonly reference: string;
  readonly usedBy: string[];
  readonly pinned?: ImageInRegistry;
  readonly problem?: string;
}

/** Same text, one entry: an image used by several workloads is checked once and listed with all of them. */
function byReference(found: readonly ManifestImage[]): Written[] {
  const all = new Map<string, string[]>();
  for (const { reference, where } of found) {
    const places = all.get(reference);
    if (places) places.push(where);
    else all.set(reference, [where]);
  }
  return [...all].map(([reference, usedBy]) => {
    let ref;
    try {
      ref = parseImageReference(reference);
    } catch (err) {
      if (!(err instanceof UserError)) throw err;
      return { reference, usedBy, problem: err.message };
    }
    // `repo:tag@sha256:...` is pinned: Kubernetes pulls the digest and ignores the tag.
    if (!ref.digest) {
      return {
        reference,
        usedBy,
        problem: `not pinned by digest (${ref.tag ? `tag ${ref.tag} only` : 'no tag, no digest'}): set the image's digest in the values (PinImageDigests@1 pins values files)`,
      };
    }
    const at = { registry: ref.registry, repository: ref.repository };
    const name = reference.slice(0, reference.lastIndexOf('@'));
    return { reference, usedBy, pinned: { reference: name, at, digest: ref.digest } };
  });
}

const indent = (text: string) => text.replace(/\n/g, '\n    ');

/**
 * `verifyImages`, before any `helm upgrade`: renders the release exactly as the upgrade would,
 * finds every image in it (hooks and test pods included) and checks each is pinned by digest and,
 * for `signed`, signed under the trust policy. Every image is checked; a failure lists each one
 * with why and where it is used, and the caller deploys nothing.
 */
export async function checkChartImages(
  runner: HelmRunner,
  upgrade: UpgradeOptions,
  verification: ImageVerification,
  registry: () => RegistryClient,
): Promise<ImageCheck> {
  const started = Date.now();
  const rendered = await renderRelease({ helm: runner, logger: agentLogger }, upgrade);
  const found = [rendered.manifest, ...rendered.hooks].flatMap((text) =>
    findManifestImages(
      `the chart as rendered by ${rendered.renderedWith === 'server' ? 'a server-side dry run' : 'helm template'}`,
      text,
    ),
  );
  const written = byReference(found);
  agentLogger.info(
    `verifyImages (${verification.level}): ${written.length} image(s) in ${found.length} place(s) of the rendered chart.`,
  );
  const renderMs = Date.now() - started;
  const pinned = written.filter((w) => w.pinned).map((w) => w.pinned as ImageInRegistry);
  let verified: VerifiedImage[] | undefined;
  const refusedWhy = new Map<ImageInRegistry, string>();
  if (verification.gate && pinned.length > 0) {
    const client = registry();
    client.declareAccess(pinned.map((p) => ({ ...p.at, access: 'pull' as const })));
    const check = await checkSignatures(client, pinned, verification.gate, agentLogger);
    verified = check.verified;
    check.refused.forEach((r) => refusedWhy.set(r.image, r.reason));
  } else if (verification.gate) verified = [];
  const failures = written.flatMap((w) => {
    const why = w.problem ?? (w.pinned ? refusedWhy.get(w.pinned) : undefined);
    return why === undefined
      ? []
      : [`  - ${w.reference} (used by ${w.usedBy.join('; ')}):\n    ${indent(why)}`];
  });
  if (failures.length > 0) {
    throw new UserError(
      `${failures.length} of ${written.length} image(s) of the rendered chart failed 'verifyImages' (${verification.level}); nothing was deployed.\n${failures.join('\n')}`,
    );
  }
  const signers = new Map(
    (verified ?? []).map((v) => [
      `${v.reference}@${v.digest}`,
      `${v.accepted.kind}: ${v.accepted.description}`,
    ]),
  );
  const signerOf = (p: ImageInRegistry) => signers.get(`${p.reference}@${p.digest}`);
  const images = written.map((w) => {
    const p = w.pinned as ImageInRegistry;
    return { reference: w.reference, digest: p.digest, usedBy: w.usedBy, signer: signerOf(p) };
  });
  const seconds = (ms: number) => (ms / 1000).toFixed(2);
  agentLogger.info(
    `verifyImages: ${images.length} image(s) checked in ${seconds(Date.now() - started)} s (render ${seconds(renderMs)} s).`,
  );
  for (const image of images) {
    agentLogger.info(
      `Image ${image.reference}: pinned${image.signer ? `, signed (${image.signer})` : ''}; used by ${image.usedBy.join('; ')}.`,
    );
  }
  return { images, verified };
}
