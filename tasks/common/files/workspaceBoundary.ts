// The workspace boundary, one rule for every task: a file a task reads or writes must lie, once
// symbolic links are resolved, inside a folder it is allowed to use. A repository can hold links
// that lead anywhere on the agent; following one would read or overwrite a file outside the job.
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors';

/** A folder files may lie in, with the name messages give it ("the working directory"). */
export interface AllowedFolder {
  readonly name: string;
  readonly path: string;
}

/** Links followed before a path is taken for a loop (Linux gives up after 40 as well). */
const MAX_LINKS = 40;

/**
 * Where `file` really leads: every symbolic link resolved, also for a path that does not exist
 * yet (its nearest existing folder resolved, a dangling link followed to the file it would create).
 */
export function realLocation(file: string): string {
  let current = path.resolve(file);
  const rest: string[] = [];
  for (let links = 0; ;) {
    try {
      return path.join(fs.realpathSync(current), ...rest);
    } catch {
      // Missing, a dangling link or a loop: follow the link by hand, or resolve the parent.
    }
    const link = readLink(current);
    if (link !== undefined) {
      if (++links > MAX_LINKS) throw new UserError(`${file}: too many levels of symbolic links.`);
      current = path.resolve(path.dirname(current), link);
      continue;
    }
    const parent = path.dirname(current);
    if (parent === current) return path.join(current, ...rest);
    rest.unshift(path.basename(current));
    current = parent;
  }
}

function readLink(file: string): string | undefined {
  try {
    return fs.readlinkSync(file);
  } catch {
    return undefined;
  }
}

function isInside(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return (
    relative === '' ||
    (!relative.startsWith(`..${path.sep}`) && relative !== '..' && !path.isAbsolute(relative))
  );
}

/** How a message shows `file`: relative to the first folder when it is written under it. */
function shown(file: string, folders: readonly AllowedFolder[]): string {
  const base = folders[0]?.path;
  const absolute = path.resolve(file);
  return base !== undefined && isInside(path.resolve(base), absolute)
    ? path.relative(path.resolve(base), absolute) || '.'
    : absolute;
}

function describe(folders: readonly AllowedFolder[], roots: readonly string[]): string {
  return folders.map((f, i) => `${f.name} ${roots[i] ?? f.path}`).join(' or ');
}

/**
 * Checks that every file lies inside one of the folders once symbolic links are resolved, and
 * returns where each really leads. Called before anything is written: one path outside fails the
 * task naming `input`, every such file and where it leads, and nothing is read or written.
 */
export function confineFiles(
  files: readonly string[],
  folders: readonly AllowedFolder[],
  input: string,
): string[] {
  const roots = folders.map((f) => realLocation(f.path));
  const real = files.map((f) => realLocation(f));
  const outside = files.flatMap((f, i) => {
    const target = real[i] ?? f;
    if (roots.some((root) => isInside(root, target))) return [];
    return [target === path.resolve(f) ? `  ${target}` : `  ${shown(f, folders)} -> ${target}`];
  });
  if (outside.length > 0) {
    const where = describe(folders, roots);
    throw new UserError(
      `Input '${input}' names ${outside.length} path(s) leading outside ${where} once symbolic links are ` +
        `resolved, so nothing was read or written:\n${outside.join('\n')}\n` +
        `Give paths inside ${folders.map((f) => f.name).join(' or ')}; a symbolic link must lead there too ` +
        '(replace a link that leaves it by the file itself).',
    );
  }
  return real;
}

/** Entries looked at before a folder is taken for too large to be a chart (names only). */
const MAX_WALKED = 100_000;

/**
 * Checks that no symbolic link inside `dir` leads outside it: a tool working on the folder (Helm
 * packaging or rendering a chart, `helm dependency update` writing `Chart.lock` and `charts/`)
 * follows links, so one leading out would read a file of the agent into the chart, or overwrite
 * one. Fails naming `input`, each such link and where it leads; links that stay inside are fine.
 */
export function assertNoLinksLeaving(dir: string, input: string): void {
  const root = realLocation(dir);
  const leaving: string[] = [];
  const pending = [path.resolve(dir)];
  for (let walked = 0; pending.length > 0;) {
    const folder = pending.pop() as string;
    for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
      if (++walked > MAX_WALKED) {
        throw new UserError(
          `Input '${input}': ${dir} holds more than ${MAX_WALKED} entries; is it really a chart?`,
        );
      }
      const file = path.join(folder, entry.name);
      if (entry.isSymbolicLink()) {
        const target = realLocation(file);
        if (!isInside(root, target)) leaving.push(`  ${path.relative(path.resolve(dir), file)} -> ${target}`);
      } else if (entry.isDirectory()) {
        pending.push(file);
      }
    }
  }
  if (leaving.length > 0) {
    throw new UserError(
      `Input '${input}': ${dir} holds ${leaving.length} symbolic link(s) leading outside it, which Helm would ` +
        `follow (reading or overwriting files of the agent), so nothing was run:\n${leaving.join('\n')}\n` +
        'Replace each link by the file itself, or make it lead to a file inside the chart.',
    );
  }
}
