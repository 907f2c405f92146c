import { errorMessage } from '../errors';
import { type ImageReference, parseImageReference } from '../registry';
import { ImageFilter } from './imagePatterns';
import type { FileScan, ImageOccurrence, PinFailure } from './types';

/** One occurrence, with the file it is in. */
export interface PlacedOccurrence {
  readonly scan: FileScan;
  readonly occurrence: ImageOccurrence;
}

/** A unique image (canonical reference) and everywhere it is written. */
export interface PlannedImage {
  /** Canonical `host/repository[:tag][@digest]`: the unit of resolution. */
  readonly key: string;
  readonly ref: ImageReference;
  readonly occurrences: readonly PlacedOccurrence[];
}

export interface PinPlan {
  readonly images: readonly PlannedImage[];
  readonly failures: readonly PinFailure[];
  /** Occurrences left alone because of the include and exclude patterns. */
  readonly excluded: number;
}

export interface PlanOptions {
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  /** `latest`, or neither tag nor digest, is a failure. */
  readonly failOnMutableTags: boolean;
  /** Every reference must already carry a digest (verify). */
  readonly requirePinned: boolean;
}

/**
 * Groups every occurrence of every file by canonical reference (each is then resolved once) and
 * collects what is wrong, each with its file and line: invalid references, mutable tags, values
 * that cannot be rewritten, and (for verify) references without a digest.
 */
export function planPins(scans: readonly FileScan[], options: PlanOptions): PinPlan {
  const filter = new ImageFilter(options.include, options.exclude);
  const failures: PinFailure[] = scans.flatMap((s) => s.failures);
  const images = new Map<string, { ref: ImageReference; occurrences: PlacedOccurrence[] }>();
  let excluded = 0;
  for (const scan of scans) {
    for (const occurrence of scan.occurrences) {
      const fail = (message: string): void => {
        failures.push({ file: scan.file, line: occurrence.line, message });
      };
      let ref: ImageReference;
      try {
        ref = parseImageReference(occurrence.reference);
      } catch (err) {
        fail(`${occurrence.where}: ${errorMessage(err)}`);
        continue;
      }
      if (!filter.accepts(ref, occurrence.reference)) {
        excluded += 1;
        continue;
      }
      if (options.requirePinned && ref.digest === undefined) {
        fail(`${occurrence.where}: ${occurrence.reference} is not pinned to a digest`);
        continue;
      }
      if (options.failOnMutableTags && ref.digest === undefined && (ref.tag ?? 'latest') === 'latest') {
        const why = ref.tag === undefined ? 'has no tag (so it means latest)' : 'uses the tag latest';
        fail(`${occurrence.where}: ${occurrence.reference} ${why}, which moves; name a version tag`);
        continue;
      }
      const key = ref.toString();
      const entry = images.get(key) ?? { ref, occurrences: [] };
      entry.occurrences.push({ scan, occurrence });
      images.set(key, entry);
    }
  }
  const planned = [...images].map(([key, { ref, occurrences }]) => ({ key, ref, occurrences }));
  planned.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { images: planned, failures, excluded };
}

/** Failures sorted by file then line, one per line: `deploy/app.yaml:12: ...`. */
export function formatFailures(failures: readonly PinFailure[]): string {
  return [...failures]
    .sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line))
    .map((f) => `  ${f.file}${f.line > 0 ? `:${f.line}` : ''}: ${f.message}`)
    .join('\n');
}
