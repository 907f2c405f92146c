import type { LockedImage } from '../lockfile';
import { imageReference } from '../registry';
import type { ImageResolution } from './resolveImages';

/** One lock entry per resolved image: the reference as first written, what it was pinned to, and every place. */
export function lockEntries(resolutions: readonly ImageResolution[]): LockedImage[] {
  return resolutions.map(({ image, digest, mediaType, platforms }) => {
    const places = [...image.occurrences].sort(
      (a, b) =>
        (a.scan.file < b.scan.file ? -1 : a.scan.file > b.scan.file ? 1 : 0) ||
        a.occurrence.line - b.occurrence.line,
    );
    const { registry, repository, tag } = image.ref;
    return {
      reference: places[0]?.occurrence.reference ?? image.key,
      resolved: imageReference({ registry, repository, tag, digest }).toString(),
      digest,
      mediaType,
      platforms,
      occurrences: places.map(({ scan, occurrence }) => ({ file: scan.file, line: occurrence.line })),
    };
  });
}
