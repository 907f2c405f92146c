import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UserError, errorMessage } from '../errors';

export interface FileContent {
  readonly path: string;
  readonly bytes: Buffer;
}

interface Staged {
  readonly target: string;
  readonly temp: string;
}

/** A temporary name beside the file (same folder, so the rename never crosses file systems). */
const tempBeside = (file: string) =>
  path.join(path.dirname(file), `.${path.basename(file)}.${crypto.randomBytes(6).toString('hex')}.tmp`);

function stage(file: FileContent): Staged {
  const target = fs.realpathSync(file.path); // a symlink keeps pointing at the file it names
  const mode = fs.statSync(target).mode & 0o7777;
  const temp = tempBeside(target);
  // Created readable by the owner only: it holds secrets until it takes the file's mode.
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, file.bytes);
    fs.fchmodSync(fd, mode);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return { target, temp };
}

/**
 * Replaces existing files, as close to all-or-nothing as a file system allows: every new content
 * is first written to a temporary file beside its target (owner-only, then the target's mode) and
 * flushed; only when all are staged is each renamed over its target. A failure while staging
 * removes every temporary file and changes nothing. No temporary file is left behind.
 */
export function replaceFilesAtomically(files: readonly FileContent[]): void {
  const staged: Staged[] = [];
  try {
    for (const file of files) {
      try {
        staged.push(stage(file));
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
