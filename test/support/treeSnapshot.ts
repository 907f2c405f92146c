// Every entry under a folder, byte for byte, without following symbolic links: compare two
// snapshots to prove a run wrote nothing there (no file changed, added, removed or re-linked).
import fs from 'node:fs';
import path from 'node:path';

/** Relative path (forward slashes) -> `dir`, `link -> target`, or the file's bytes in hex. */
export function treeSnapshot(dir: string, prefix = ''): Record<string, string> {
  const entries: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    const rel = `${prefix}${entry.name}`;
    if (entry.isSymbolicLink()) entries[rel] = `link -> ${fs.readlinkSync(file)}`;
    else if (entry.isDirectory()) {
      entries[rel] = 'dir';
      Object.assign(entries, treeSnapshot(file, `${rel}/`));
    } else entries[rel] = fs.readFileSync(file).toString('hex');
  }
  return entries;
}
