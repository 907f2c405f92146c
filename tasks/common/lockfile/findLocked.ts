import { UserError } from '../errors';
import { familiarString, parseImageReference, type ImageReference } from '../registry';
import type { ImageLock, LockedImage } from './imageLock';

/**
 * The lock entry for an image reference, matched in canonical form (`nginx:1.25` matches
 * `docker.io/library/nginx:1.25@sha256:...`): same registry and repository, the same tag when the
 * reference has one (`latest` when it has neither tag nor digest), the same digest when it has one.
 * Undefined when the lock has no such image. Entries that match but disagree on the digest are an
 * error: the lock cannot say which digest was tested.
 */
export function findLocked(lock: ImageLock, wanted: ImageReference): LockedImage | undefined {
  const tag = wanted.tag ?? (wanted.digest === undefined ? 'latest' : undefined);
  const matches = lock.images.filter((image) => {
    const entry = parseImageReference(image.resolved);
    if (entry.registry !== wanted.registry || entry.repository !== wanted.repository) return false;
    if (tag !== undefined && entry.tag !== tag) return false;
    return wanted.digest === undefined || image.digest === wanted.digest;
  });
  const digests = new Set(matches.map((m) => m.digest));
  if (digests.size > 1) {
    throw new UserError(
      `The image lock lists ${familiarString(wanted)} with ${digests.size} different digests (` +
        `${matches.map((m) => `${m.resolved}`).join(', ')}); name the image with its digest.`,
    );
  }
  return matches[0];
}
