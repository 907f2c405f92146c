import { errorMessage } from '../errors';
import { type ImageReference, imageReference, parseImageReference } from '../registry';
import type { ResolutionCache, ImageResolution } from './resolveImages';
import type { ImageLock, LockOccurrence } from '../lockfile';

/** A pinned reference whose tag now names something else (or nothing). */
export interface DriftFinding {
  /** The reference as written, e.g. `nginx:1.25@sha256:...`. */
  readonly reference: string;
  /** The tag, with its repository: `docker.io/library/nginx:1.25`. */
  readonly tagReference: string;
  readonly pinnedDigest: string;
  /** What the tag names now; undefined when the tag could not be resolved. */
  readonly currentDigest: string | undefined;
  readonly occurrences: readonly LockOccurrence[];
  readonly message: string;
}

/**
 * For each verified pinned image with a known tag (written, or from the previous lock for a
 * digest-only reference), resolves the tag and reports it when it no longer names the pinned digest
 * (the pinned digest being one of the index's platform manifests counts as no drift).
 */
export async function checkDrift(
  resolutions: readonly ImageResolution[],
  cache: ResolutionCache,
  previousLock: ImageLock | undefined,
): Promise<DriftFinding[]> {
  const findings = await Promise.all(
    resolutions.map(async ({ image, digest }): Promise<DriftFinding | undefined> => {
      const tag = image.ref.tag ?? tagFromLock(previousLock, image.ref, digest);
      if (tag === undefined) return undefined;
      const tagRef = imageReference({ registry: image.ref.registry, repository: image.ref.repository, tag });
      const reference = image.occurrences[0]?.occurrence.reference ?? image.key;
      const occurrences = image.occurrences.map((o) => ({ file: o.scan.file, line: o.occurrence.line }));
      const base = { reference, tagReference: tagRef.toString(), pinnedDigest: digest, occurrences };
      try {
        const now = await cache.resolve(tagRef);
        if (now.digest === digest || now.platformDigest === digest || now.childDigests?.includes(digest)) {
          return undefined;
        }
        const message = `the tag ${tagRef.toString()} has moved since pinning: it names ${now.digest} now, the files pin ${digest}`;
        return { ...base, currentDigest: now.digest, message };
      } catch (err) {
        const message = `the tag ${tagRef.toString()} could not be resolved (${errorMessage(err)}); the files pin ${digest}`;
        return { ...base, currentDigest: undefined, message };
      }
    }),
  );
  return findings.flatMap((f) => (f ? [f] : []));
}

/** The tag the previous lock recorded for this repository and digest (digest-only references). */
function tagFromLock(lock: ImageLock | undefined, ref: ImageReference, digest: string): string | undefined {
  for (const image of lock?.images ?? []) {
    if (image.digest !== digest) continue;
    try {
      const locked = parseImageReference(image.resolved);
      if (locked.registry === ref.registry && locked.repository === ref.repository && locked.tag)
        return locked.tag;
    } catch {
      // an unparsable entry names no tag
    }
  }
  return undefined;
}
