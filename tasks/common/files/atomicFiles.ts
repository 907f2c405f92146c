// All-or-nothing file writes shared by every task: new content goes to a temporary file beside
// its target (same folder, so the rename never crosses file systems) and replaces it by rename.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError, errorMessage } from '../errors';

/** Name of a temporary file beside `file`. */
export function temporarySibling(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`,
  );
}

/** Permission bits of an existing file, or undefined when there is none. */
export function existingMode(file: string): number | undefined {
  try {
    return fs.statSync(file).mode & 0o7777;
  } catch {
    return undefined;
  }
}

/** The file a path names, following symbolic links (the path itself when it does not exist yet). */
export function realTarget(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** Writes the temporary file owner-only (it may hold secrets), then gives it its final mode. */
function writeTemporary(temp: string, content: Buffer | string, mode: number): void {
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, content);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes one file atomically: a reader sees the old or the new file, never half of one. Missing
 * parent folders are created; an existing file keeps its mode; a symbolic link is followed.
 */
export function writeFileAtomic(target: string, content: Buffer | string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const file = realTarget(target);
  const temp = temporarySibling(file);
  try {
    writeTemporary(temp, content, existingMode(file) ?? 0o644);
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

export interface FileContent {
  readonly path: string;
  readonly bytes: Buffer | string;
}

/**
 * Replaces existing files, as close to all-or-nothing as a file system allows: every new content
 * is first written to a temporary file beside its target (owner-only, then the target's mode) and
 * flushed; only when all are staged is each renamed over its target. A failure while staging
 * removes every temporary file and changes nothing. No temporary file is left behind.
 */
export function replaceFilesAtomically(files: readonly FileContent[]): void {
  const staged: { target: string; temp: string }[] = [];
  try {
    for (const file of files) {
      try {
        const target = fs.realpathSync(file.path); // a symlink keeps pointing at the file it names
        const temp = temporarySibling(target);
        writeTemporary(temp, file.bytes, fs.statSync(target).mode & 0o7777);
        staged.push({ target, temp });
      } catch (err) {
        throw new UserError(`Could not write ${file.path}: ${errorMessage(err)}. No file was changed.`, {
          cause: err,
        });
      }
    }
    for (let next = staged[0]; next !== undefined; next = staged[0]) {
      try {
        fs.renameSync(next.temp, next.target);
      } catch (err) {
        throw new UserError(`Could not replace ${next.target}: ${errorMessage(err)}.`, { cause: err });
      }
      staged.shift();
    }
  } finally {
    staged.forEach((s) => fs.rmSync(s.temp, { force: true }));
  }
}
