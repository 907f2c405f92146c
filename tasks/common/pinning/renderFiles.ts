import fs from 'node:fs';
import { UserError, errorMessage } from '../errors';
import { replaceFilesAtomically } from '../files';
import type { ImageResolution } from './resolveImages';
import type { FileScan, PinFailure, PinFormat, TextEdit } from './types';

/** A file's new text, computed in memory before anything is written. */
export interface RenderedFile {
  readonly scan: FileScan;
  readonly text: string;
}

/**
 * Computes the new text of every file that changes: each occurrence's edits spliced into the
 * original text, so nothing but the pinned values differs. Nothing is written here.
 */
export function renderFiles(
  resolutions: readonly ImageResolution[],
  format: PinFormat,
): { files: RenderedFile[]; failures: PinFailure[] } {
  const edits = new Map<FileScan, TextEdit[]>();
  const failures: PinFailure[] = [];
  for (const { image, digest } of resolutions) {
    for (const { scan, occurrence } of image.occurrences) {
      try {
        const list = edits.get(scan) ?? [];
        list.push(...occurrence.rewrite(digest, format));
        edits.set(scan, list);
      } catch (err) {
        failures.push({
          file: scan.file,
          line: occurrence.line,
          message: `${occurrence.where}: ${errorMessage(err)}`,
        });
      }
    }
  }
  const files: RenderedFile[] = [];
  for (const [scan, list] of edits) {
    const text = applyEdits(scan, list, failures);
    if (text !== undefined && text !== scan.text) files.push({ scan, text });
  }
  files.sort((a, b) => (a.scan.file < b.scan.file ? -1 : 1));
  return { files, failures };
}

function applyEdits(scan: FileScan, edits: TextEdit[], failures: PinFailure[]): string | undefined {
  const unique = [...new Map(edits.map((e) => [`${e.start}:${e.end}:${e.text}`, e])).values()];
  unique.sort((a, b) => b.start - a.start || b.end - a.end);
  let text = scan.text;
  let limit = Infinity;
  for (const edit of unique) {
    if (edit.end > limit) {
      failures.push({ file: scan.file, line: 0, message: 'two image values overlap; pin this file by hand' });
      return undefined;
    }
    text = text.slice(0, edit.start) + edit.text + text.slice(edit.end);
    limit = edit.start;
  }
  return text;
}

/**
 * Writes every rendered file all or nothing (the shared staged replace), after checking that no
 * file changed since it was read. A symbolic link is followed: the file it points to is replaced.
 */
export async function writeRenderedFiles(files: readonly RenderedFile[]): Promise<void> {
  for (const { scan } of files) {
    if (fs.readFileSync(scan.absolutePath, 'utf8') !== scan.text) {
      throw new UserError(`${scan.file} changed while it was being pinned; run again. No file was changed.`);
    }
  }
  await replaceFilesAtomically(files.map(({ scan, text }) => ({ path: scan.absolutePath, bytes: text })));
}
