import fs from 'node:fs';
import YAML from 'yaml';
import { UserError } from '../errors';

/** One `key=value` line of the `values` input: the value exactly as written after the first `=`. */
export interface ValueAssignment {
  /** The key as written (`image.tag`), for the log. */
  readonly key: string;
  /** The key split at unescaped dots (`a\.b.c` -> ['a.b', 'c']). */
  readonly path: readonly string[];
  /** `true`/`false` become booleans; everything else stays the literal string. */
  readonly value: string | boolean;
}

type Tree = { [key: string]: Tree | string | boolean };

/** Splits a key at dots not preceded by a backslash; `\.` is a literal dot. */
function keyPath(key: string, line: number): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < key.length; i++) {
    const c = key[i];
    if (c === '\\' && key[i + 1] === '.') {
      current += '.';
      i++;
    } else if (c === '.') {
      parts.push(current);
      current = '';
    } else current += c;
  }
  parts.push(current);
  if (parts.some((p) => p.trim() === '')) {
    throw new UserError(
      `Line ${line} of 'values': the key '${key}' has an empty part; write keys like image.tag.`,
    );
  }
  if (parts.some((p) => /[[\]]/.test(p))) {
    throw new UserError(
      `Line ${line} of 'values': list indexes (${key}) are not supported in 'values'; put lists in a values file ('valueFiles').`,
    );
  }
  return parts.map((p) => p.trim());
}

/**
 * Parses `key=value` lines. The value is everything after the first `=`, kept literally: commas,
 * spaces, quotes, `#` and `=` included (unlike `--set`, nothing is split or unescaped). Empty lines
 * and lines starting with `#` are skipped.
 */
export function parseValueLines(text: string): ValueAssignment[] {
  const assignments: ValueAssignment[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq <= 0) {
      throw new UserError(
        `Line ${index + 1} of 'values' is not key=value (the line is not shown: it may hold a secret).`,
      );
    }
    const key = line.slice(0, eq).trim();
    const literal = line.slice(eq + 1).replace(/\r$/, '');
    const value = literal === 'true' ? true : literal === 'false' ? false : literal;
    assignments.push({ key, path: keyPath(key, index + 1), value });
  });
  return assignments;
}

/** Nests the assignments (later lines win); a key that is both a value and a map is an error. */
export function valuesTree(assignments: readonly ValueAssignment[]): Tree {
  const root: Tree = {};
  for (const { key, path, value } of assignments) {
    let node = root;
    path.slice(0, -1).forEach((part, i) => {
      const next = node[part];
      if (next === undefined) node = node[part] = {};
      else if (typeof next === 'object') node = next;
      else {
        throw new UserError(
          `'values': '${key}' needs '${path.slice(0, i + 1).join('.')}' to be a map, but an earlier line gave it a value.`,
        );
      }
    });
    const leaf = path[path.length - 1] ?? key;
    if (typeof node[leaf] === 'object') {
      throw new UserError(
        `'values': '${key}' is a map (other lines set keys under it) and can't also be a value.`,
      );
    }
    node[leaf] = value;
  }
  return root;
}

/**
 * YAML for the values: every key and string double-quoted, so Helm's YAML 1.1 reader can't turn
 * `yes`, `0755`, `1:20` or `~` into something else.
 */
export function valuesYaml(tree: Tree): string {
  return YAML.stringify(tree, {
    defaultStringType: 'QUOTE_DOUBLE',
    defaultKeyType: 'QUOTE_DOUBLE',
    lineWidth: 0,
  });
}

/**
 * Writes the values to `file` readable by the owner only (0600). The caller removes it (it lives
 * in the Helm runner's private folder). Returns the keys, the only part fit for the log.
 */
export function writeValuesFile(file: string, assignments: readonly ValueAssignment[]): string[] {
  fs.writeFileSync(file, valuesYaml(valuesTree(assignments)), { encoding: 'utf8', mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return [...new Set(assignments.map((a) => a.key))];
}
