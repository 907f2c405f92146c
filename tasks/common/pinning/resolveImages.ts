import { errorMessage } from '../errors';
import { ConcurrencyLimit } from '../net';
import type { ImageReference } from '../registry';
import type { PlannedImage } from './planPins';
import type { ImageResolver, PinFailure, ResolvedImage } from './types';

/**
 * Calls the resolver at most once per canonical reference, however often it is asked, with at most
 * `concurrency` calls in flight.
 */
export class ResolutionCache {
  private readonly results = new Map<string, Promise<ResolvedImage>>();
  private readonly slots: ConcurrencyLimit;

  constructor(
    private readonly resolver: ImageResolver,
    concurrency: number,
  ) {
    this.slots = new ConcurrencyLimit(concurrency);
  }

  /** Number of distinct references sent to the resolver. */
  get calls(): number {
    return this.results.size;
  }

  resolve(ref: ImageReference): Promise<ResolvedImage> {
    const key = ref.toString();
    let result = this.results.get(key);
    if (!result) {
      result = this.slots.run(() => this.resolver(ref));
      this.results.set(key, result);
    }
    return result;
  }
}

/** What a planned image is pinned to. */
export interface ImageResolution {
  readonly image: PlannedImage;
  /** The digest written to the files: the existing one, the platform's, or the tag's. */
  readonly digest: string;
  readonly mediaType: string;
  readonly platforms: readonly string[];
  readonly registry: ResolvedImage;
}

/**
 * Resolves every planned image once, concurrently. A reference that already has a digest is
 * verified (the resolver checks that the digest exists) and keeps it; a tag is resolved to the
 * digest of what it names now (of the requested platform's manifest when the resolver gives one).
 * The first reference of each registry goes alone, so that what a registry's first answer teaches
 * (its scheme, its token) is learnt once, not by a burst of parallel requests. Every failure is
 * listed once per occurrence, with its file and line.
 */
export async function resolveImages(
  images: readonly PlannedImage[],
  cache: ResolutionCache,
): Promise<{ resolutions: ImageResolution[]; failures: PinFailure[] }> {
  const failures: PinFailure[] = [];
  const resolveOne = async (image: PlannedImage): Promise<ImageResolution | undefined> => {
    try {
      return toResolution(image, await cache.resolve(image.ref));
    } catch (err) {
      const what = image.ref.digest ? 'could not be verified' : 'could not be resolved';
      for (const { scan, occurrence } of image.occurrences) {
        failures.push({
          file: scan.file,
          line: occurrence.line,
          message: `${occurrence.reference} ${what}: ${errorMessage(err)}`,
        });
      }
      return undefined;
    }
  };
  const byRegistry = new Map<string, PlannedImage[]>();
  for (const image of images) {
    const same = byRegistry.get(image.ref.registry);
    if (same) same.push(image);
    else byRegistry.set(image.ref.registry, [image]);
  }
  const settled = await Promise.all(
    [...byRegistry.values()].map(async ([first, ...rest]) => [
      first ? await resolveOne(first) : undefined,
      ...(await Promise.all(rest.map(resolveOne))),
    ]),
  );
  const resolutions = settled.flat().flatMap((r) => (r ? [r] : []));
  resolutions.sort((a, b) => (a.image.key < b.image.key ? -1 : a.image.key > b.image.key ? 1 : 0));
  return { resolutions, failures };
}

function toResolution(image: PlannedImage, resolved: ResolvedImage): ImageResolution {
  const existing = image.ref.digest;
  if (existing !== undefined) {
    return {
      image,
      digest: existing,
      mediaType: resolved.mediaType,
      platforms: resolved.platforms,
      registry: resolved,
    };
  }
  const digest = resolved.platformDigest ?? resolved.digest;
  const mediaType = resolved.platformDigest
    ? (resolved.platformMediaType ?? resolved.mediaType)
    : resolved.mediaType;
  return { image, digest, mediaType, platforms: resolved.platforms, registry: resolved };
}
