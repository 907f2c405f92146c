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

/**
 * Creates the temporary file owner-only (it may hold secrets) with its content and final mode, and
 * returns it open, to be flushed and closed by the caller.
 */
function createTemporary(temp: string, content: Buffer | string, mode: number): number {
  const fd = fs.openSync(temp, 'wx', 0o600);
  try {
    fs.writeFileSync(fd, content);
    fs.fchmodSync(fd, mode);
    return fd;
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
}

/** Writes and flushes the temporary file. */
function writeTemporary(temp: string, content: Buffer | string, mode: number): void {
  const fd = createTemporary(temp, content, mode);
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Writes the temporary file and flushes it on libuv's pool: flushes in flight together are
 * committed together by the file system's journal, where one after the other each waits for its own.
 */
async function writeTemporaryFlushed(temp: string, content: Buffer | string, mode: number): Promise<void> {
  const fd = createTemporary(temp, content, mode);
  try {
    await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
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

export interface ReplaceOptions {
  /** Moves a file over another (fs.renameSync); a caller may wrap it to watch or fail the swap. */
  readonly rename?: (from: string, to: string) => void;
}

interface Staged {
  readonly shown: string;
  readonly target: string;
  readonly temp: string;
  /** The original, kept under another name until every file is replaced. */
  readonly original: string;
  /** Position in the files given: they are renamed in that order. */
  readonly index: number;
}

/** Keeps the original under a second name: a hard link (same bytes, mode, owner), else a copy. */
function keepOriginal(target: string): string {
  const original = temporarySibling(target);
  try {
    fs.linkSync(target, original);
  } catch {
    try {
      fs.copyFileSync(target, original, fs.constants.COPYFILE_EXCL);
    } catch (err) {
      fs.rmSync(original, { force: true });
      throw err;
    }
  }
  return original;
}

/** Files staged (written and flushed) at once; each holds a file descriptor until flushed. */
const STAGED_AT_ONCE = 16;

/**
 * Replaces existing files all or nothing: every new content is first written to a temporary file
 * beside its target (owner-only, then the target's mode) and flushed (several at once), and every
 * original is kept under a second name; only then is each new file renamed over its target, in
 * the order given. A failure while staging changes nothing; a rename failing part way puts the
 * originals of the files already replaced back, and the message names the file that failed. No
 * temporary file is left behind.
 */
export async function replaceFilesAtomically(
  files: readonly FileContent[],
  options: ReplaceOptions = {},
): Promise<void> {
  const rename = options.rename ?? fs.renameSync;
  const staged: Staged[] = [];
  let next = 0;
  let failed = false;
  const stageNext = async (): Promise<void> => {
    while (next < files.length && !failed) {
      const index = next++;
      const file = files[index] as FileContent;
      let temp: string | undefined;
      try {
        const target = fs.realpathSync(file.path); // a symlink keeps pointing at the file it names
        temp = temporarySibling(target);
        await writeTemporaryFlushed(temp, file.bytes, fs.statSync(target).mode & 0o7777);
        staged.push({ shown: file.path, target, temp, original: keepOriginal(target), index });
      } catch (err) {
        failed = true;
        if (temp !== undefined) fs.rmSync(temp, { force: true });
        throw new UserError(`Could not write ${file.path}: ${errorMessage(err)}. No file was changed.`, {
          cause: err,
        });
      }
    }
  };
  try {
    // Every stager settles before anything is removed or renamed.
    const settled = await Promise.allSettled(
      Array.from({ length: Math.min(STAGED_AT_ONCE, files.length) }, stageNext),
    );
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failure) throw failure.reason;
    staged.sort((a, b) => a.index - b.index);
    swapIn(staged, rename);
  } finally {
    staged.forEach((s) => [s.temp, s.original].forEach((f) => fs.rmSync(f, { force: true })));
  }
}

/** Renames each staged file over its target; on a failure, puts back the ones already replaced. */
function swapIn(staged: Staged[], rename: (from: string, to: string) => void): void {
  const replaced: Staged[] = [];
  for (const file of staged) {
    try {
      rename(file.temp, file.target);
      replaced.push(file);
    } catch (err) {
      throw new UserError(
        `Could not replace ${file.shown}: ${errorMessage(err)}. ${restore(replaced, staged, rename)}`,
        { cause: err },
      );
    }
  }
}

/**
 * Puts each replaced file's original back (by rename, so readers see old or new, never half). An
 * original that cannot be put back is left where it is (taken out of `staged`, so not removed).
 */
function restore(
  replaced: readonly Staged[],
  staged: Staged[],
  rename: (from: string, to: string) => void,
): string {
  const failed: string[] = [];
  for (const file of [...replaced].reverse()) {
    try {
      rename(file.original, file.target);
    } catch (err) {
      staged.splice(staged.indexOf(file), 1);
      failed.push(`${file.shown} (its original is kept at ${file.original}: ${errorMessage(err)})`);
    }
  }
  if (failed.length === 0) {
    return replaced.length === 0
      ? 'No file was changed.'
      : `No file was changed: the ${replaced.length} file(s) replaced before it were restored from their originals.`;
  }
  return `${failed.length} file(s) replaced before it could not be restored; put their originals back by hand: ${failed.join(', ')}.`;
}
