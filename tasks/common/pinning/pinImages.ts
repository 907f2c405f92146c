import fs from 'node:fs';
import path from 'node:path';
import { UserError, errorMessage } from '../errors';
import type { Logger } from '../log';
import { type ImageLock, buildImageLock } from '../lockfile';
import type { ImageReference } from '../registry';
import { type DriftFinding, checkDrift } from './checkDrift';
import { lockEntries } from './lockEntries';
import { formatFailures, planPins } from './planPins';
import { renderFiles, writeRenderedFiles } from './renderFiles';
import { type ImageResolution, ResolutionCache, resolveImages } from './resolveImages';
import type {
  FileKind,
  FileScan,
  ImageResolver,
  PinFailure,
  PinFormat,
  UnresolvableReference,
} from './types';

export const PIN_ACTIONS = ['pin', 'lock', 'verify'] as const;
/** pin: rewrite files and build the lock; lock: only build the lock; verify: change nothing, check. */
export type PinAction = (typeof PIN_ACTIONS)[number];

export interface PinOptions {
  readonly action: PinAction;
  /** Paths in occurrences and the lock are relative to this folder. */
  readonly workingDirectory: string;
  /** Absolute paths of the files to process (already expanded from globs). */
  readonly files: readonly string[];
  /** Files named by a literal path rather than a glob: one the pinning cannot read is an error. */
  readonly named?: ReadonlySet<string>;
  readonly format: PinFormat;
  readonly include: readonly string[];
  readonly exclude: readonly string[];
  readonly failOnMutableTags: boolean;
  /** verify: a moved tag fails the run instead of warning. */
  readonly failOnDrift: boolean;
  readonly resolve: ImageResolver;
  /** Most registry lookups in flight at once. */
  readonly concurrency: number;
  /** verify: the previous lock, whose tags let digest-only references be checked for drift. */
  readonly previousLock?: ImageLock | undefined;
  readonly logger: Logger;
  readonly now?: () => Date;
  /** Called with every unique reference before the first lookup (e.g. to declare token scopes). */
  readonly beforeResolve?: (refs: readonly ImageReference[]) => void;
}

export interface PinReport {
  readonly action: PinAction;
  readonly scanned: readonly { readonly file: string; readonly kind: FileKind; readonly images: number }[];
  readonly skipped: readonly { readonly file: string; readonly reason: string }[];
  /** The lock for pin and lock (what the caller writes); for verify, what was verified. */
  readonly lock: ImageLock;
  /** Files rewritten (pin only), relative to the working directory. */
  readonly filesChanged: readonly string[];
  readonly unresolvable: readonly UnresolvableReference[];
  /** verify: tags that moved (warnings, unless failOnDrift made them failures). */
  readonly drift: readonly DriftFinding[];
  /** Occurrences left alone by the include and exclude patterns. */
  readonly excluded: number;
  /** Distinct references sent to the registry. */
  readonly registryLookups: number;
}

/** Path relative to the working directory, with forward slashes. */
export function relativePath(workingDirectory: string, file: string): string {
  return path.relative(workingDirectory, file).split(path.sep).join('/');
}

/**
 * Finds, resolves and pins every image reference of the files, all or nothing: every file is read,
 * parsed and rendered in memory first, and if any file fails to parse or any reference fails, no
 * file changes and the error lists every failure with its file and line.
 */
export async function pinImages(options: PinOptions): Promise<PinReport> {
  const { logger, action } = options;
  const failures: PinFailure[] = [];
  const scans: FileScan[] = [];
  const skipped: { file: string; reason: string }[] = [];
  // The scanners and the YAML parser (116 KiB) load here, not at the task's start.
  const { scanFile } = await import('./scanFile.js');
  for (const absolute of options.files) {
    const file = relativePath(options.workingDirectory, absolute);
    let text: string;
    try {
      text = fs.readFileSync(absolute, 'utf8');
    } catch (err) {
      failures.push({ file, line: 0, message: `could not be read: ${errorMessage(err)}` });
      continue;
    }
    const outcome = scanFile(file, absolute, text);
    if (outcome.outcome === 'scanned') scans.push(outcome.scan);
    else if (outcome.outcome === 'failed') failures.push(outcome.failure);
    else if (options.named?.has(absolute)) {
      const message = `named in 'files' but skipped: ${outcome.reason}. Remove it from 'files' or name a file to pin`;
      failures.push({ file, line: 0, message });
    } else skipped.push({ file: outcome.file, reason: outcome.reason });
  }
  for (const s of skipped) logger.warn(`${s.file}: skipped, ${s.reason}.`);
  const unresolvable = scans.flatMap((s) => s.unresolvable);
  for (const u of unresolvable) logger.warn(`${u.file}:${u.line}: ${u.text} not pinned: ${u.reason}.`);

  const plan = planPins(scans, { ...options, requirePinned: action === 'verify' });
  failures.push(...plan.failures);
  logger.info(
    `${scans.length} file(s) scanned, ${plan.images.length} unique image reference(s)` +
      (plan.excluded > 0 ? `, ${plan.excluded} occurrence(s) excluded by pattern` : '') +
      '.',
  );

  options.beforeResolve?.(plan.images.map((i) => i.ref));
  const cache = new ResolutionCache(options.resolve, options.concurrency);
  const resolved = await logger.group(`Resolve ${plan.images.length} image reference(s)`, async () => {
    const result = await resolveImages(plan.images, cache);
    for (const r of result.resolutions) logger.info(`${r.image.key} -> ${r.digest}`);
    return result;
  });
  failures.push(...resolved.failures);

  let drift: DriftFinding[] = [];
  if (action === 'verify') {
    drift = await checkDrift(resolved.resolutions, cache, options.previousLock);
    for (const d of drift) {
      const places = d.occurrences.map((o) => `${o.file}:${o.line}`).join(', ');
      if (options.failOnDrift) {
        failures.push(...d.occurrences.map((o) => ({ file: o.file, line: o.line, message: d.message })));
      } else logger.warn(`${places}: ${d.message}.`);
    }
  }

  const rendered =
    action === 'pin' ? renderFiles(resolved.resolutions, options.format) : { files: [], failures: [] };
  failures.push(...rendered.failures);
  if (failures.length > 0) {
    const verb = action === 'verify' ? 'Verification failed' : 'No file was changed';
    throw new UserError(`${verb}: ${failures.length} problem(s):\n${formatFailures(failures)}`);
  }
  await writeRenderedFiles(rendered.files);
  for (const f of rendered.files) logger.info(`Pinned ${f.scan.file}`);

  return {
    action,
    scanned: scans.map((s) => ({ file: s.file, kind: s.kind, images: s.occurrences.length })),
    skipped,
    lock: buildLock(resolved.resolutions, options.now?.() ?? new Date()),
    filesChanged: rendered.files.map((f) => f.scan.file),
    unresolvable,
    drift,
    excluded: plan.excluded,
    registryLookups: cache.calls,
  };
}

function buildLock(resolutions: readonly ImageResolution[], now: Date): ImageLock {
  return buildImageLock(lockEntries(resolutions), now);
}
