import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Name of a temporary file beside `file`, so that a rename onto `file` never crosses file systems. */
export function temporarySibling(file: string): string {
  const suffix = crypto.randomBytes(6).toString('hex');
  return path.join(path.dirname(file), `.${path.basename(file)}.${suffix}.tmp`);
}

/**
 * Writes a file atomically: the text goes to a temporary file in the same folder, which takes the
 * existing file's mode and then replaces it by rename. A reader sees the old or the new file, never
 * half of one. Missing parent folders are created; a symbolic link is followed, not replaced.
 */
export function writeFileAtomic(target: string, text: string): void {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const file = realTarget(target);
  const temp = temporarySibling(file);
  try {
    const mode = existingMode(file);
    fs.writeFileSync(temp, text, { mode: mode ?? 0o666 });
    if (mode !== undefined) fs.chmodSync(temp, mode);
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
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
