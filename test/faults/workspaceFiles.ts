// Every file under a folder with its bytes, to tell apart files left as they were, files fully
// written, and anything else (half-written files, leftover temporary files).
import fs from 'node:fs';
import path from 'node:path';

/** Relative path (forward slashes) -> content, for every file below `dir`. */
export function readTree(dir: string, prefix = ''): Map<string, string> {
  const files = new Map<string, string>();
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = `${prefix}${e.name}`;
    if (e.isDirectory()) readTree(path.join(dir, e.name), `${rel}/`).forEach((v, k) => files.set(k, v));
    else files.set(rel, fs.readFileSync(path.join(dir, e.name), 'utf8'));
  }
  return files;
}

/** Files that are neither their original nor their expected content, and files nobody expected. */
export function partialFiles(
  now: Map<string, string>,
  original: Map<string, string>,
  expected: Map<string, string>,
): string[] {
  const odd: string[] = [];
  for (const [rel, text] of now) {
    if (text !== original.get(rel) && text !== expected.get(rel)) odd.push(rel);
  }
  return odd;
}
