import { UserError } from '../errors';
import {
  childrenOf,
  getManifest,
  platformName,
  type Descriptor,
  type ImageReference,
  type RegistryClient,
} from '../registry';
import type { ImageResolver, ResolvedImage } from './types';

/** `linux/arm64/v8` -> its parts; throws a UserError for anything that is not os/arch[/variant]. */
export function parsePlatform(text: string): { os: string; architecture: string; variant?: string } {
  const [os, architecture, variant, extra] = text.trim().toLowerCase().split('/');
  if (!os || !architecture || extra !== undefined) {
    throw new UserError(
      `Platform '${text}' is not os/architecture[/variant], e.g. linux/amd64 or linux/arm64/v8.`,
    );
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Default variants, as containerd normalises them: arm64 is v8, arm is v7. */
const DEFAULT_VARIANT: Record<string, string> = { arm64: 'v8', arm: 'v7' };

/**
 * The index entry for a platform: same os and architecture, and the same variant (defaults
 * applied); without a variant, the default variant's entry or else the first of that architecture.
 */
export function selectPlatform(children: readonly Descriptor[], wanted: string): Descriptor | undefined {
  const want = parsePlatform(wanted);
  const variantOf = (child: Descriptor): string | undefined =>
    child.platform?.variant?.toLowerCase() ?? DEFAULT_VARIANT[want.architecture];
  const candidates = children.filter(
    (c) =>
      c.platform?.os.toLowerCase() === want.os && c.platform.architecture.toLowerCase() === want.architecture,
  );
  const preferred = want.variant ?? DEFAULT_VARIANT[want.architecture];
  if (want.variant !== undefined) return candidates.find((c) => variantOf(c) === preferred);
  return candidates.find((c) => variantOf(c) === preferred) ?? candidates[0];
}

/**
 * The resolver backed by the registry client: one GET of the manifest per reference (the client
 * hashes what it receives, so a digest is verified and a tag resolved in the same request), the
 * platforms read from an index, and with `platform` (validated with the inputs) the digest of
 * that platform's manifest.
 */
export function registryImageResolver(client: RegistryClient, platform?: string): ImageResolver {
  return async (ref: ImageReference): Promise<ResolvedImage> => {
    const fetched = await getManifest(client.http, ref);
    const children = childrenOf(fetched.manifest);
    const platforms = [...new Set(children.flatMap((c) => platformName(c.platform) ?? []))];
    const resolved: ResolvedImage = {
      digest: fetched.digest,
      mediaType: fetched.mediaType,
      platforms,
      childDigests: children.map((c) => c.digest),
    };
    if (!platform || fetched.manifest.kind !== 'index' || ref.digest !== undefined) return resolved;
    const child = selectPlatform(children, platform);
    if (!child) {
      throw new UserError(
        `${ref.toString()} has no ${platform} image; it offers ${platforms.join(', ') || 'no platform'}.`,
      );
    }
    return { ...resolved, platformDigest: child.digest, platformMediaType: child.mediaType };
  };
}

/**
 * Tells the client every repository the run will read, per registry, so that one token per
 * registry covers them all instead of one token request per repository.
 */
export function declarePullScopes(client: RegistryClient, refs: readonly ImageReference[]): void {
  client.declareAccess(
    refs.map((ref) => ({ registry: ref.registry, repository: ref.repository, access: 'pull' })),
  );
}
