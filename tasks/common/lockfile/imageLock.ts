/**
 * The image lock file: the one format PinImageDigests writes and PromoteImage (and
 * PinImageDigests' verify) read. JSON, 2-space indented, trailing newline, deterministic order
 * (images by reference, occurrences by file then line) so that it diffs well.
 */

export const IMAGE_LOCK_VERSION = 1;

/** Where a reference is written: a path relative to the working directory (forward slashes), 1-based line. */
export interface LockOccurrence {
  readonly file: string;
  readonly line: number;
}

export interface LockedImage {
  /** The reference as written in the files, e.g. `nginx:1.25` or `myrepo.azurecr.io/app:v1`. */
  readonly reference: string;
  /** Canonical `host/repository[:tag]@sha256:...`: what the reference was pinned to. */
  readonly resolved: string;
  /** The pinned digest (`sha256:<64 hex>`): of the whole index, or of one platform's manifest. */
  readonly digest: string;
  /** Media type of the manifest the digest names. */
  readonly mediaType: string;
  /** Platforms (`os/arch[/variant]`) the image offers; empty when the registry does not say. */
  readonly platforms: readonly string[];
  readonly occurrences: readonly LockOccurrence[];
}

export interface ImageLock {
  readonly version: typeof IMAGE_LOCK_VERSION;
  /** ISO 8601 time the lock was written. */
  readonly generated: string;
  readonly images: readonly LockedImage[];
}

const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareOccurrences(a: LockOccurrence, b: LockOccurrence): number {
  return compareText(a.file, b.file) || a.line - b.line;
}

/** Builds a lock with images and occurrences in their canonical order; duplicate occurrences are dropped. */
export function buildImageLock(images: readonly LockedImage[], generated: Date): ImageLock {
  const sorted = images
    .map((image) => {
      const seen = new Set<string>();
      const occurrences = [...image.occurrences].sort(compareOccurrences).filter((o) => {
        const key = `${o.file}\n${o.line}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      return {
        reference: image.reference,
        resolved: image.resolved,
        digest: image.digest,
        mediaType: image.mediaType,
        platforms: [...image.platforms].sort(compareText),
        occurrences: occurrences.map((o) => ({ file: o.file, line: o.line })),
      };
    })
    .sort((a, b) => compareText(a.reference, b.reference) || compareText(a.resolved, b.resolved));
  return { version: IMAGE_LOCK_VERSION, generated: generated.toISOString(), images: sorted };
}

/** The file's text: 2-space JSON with a trailing newline. */
export function serializeImageLock(lock: ImageLock): string {
  return JSON.stringify(lock, null, 2) + '\n';
}
