import fs from 'node:fs';
import YAML from 'yaml';
import { UserError } from '../errors';
import { applySetLine, SetLineError, type ValueMap, type ValueTyping } from './setValueParser';

/** One `key=value` line of the `values` input. */
export interface ValueAssignment {
  /** Its line number in the input, for messages. */
  readonly line: number;
  /** The key as written (`image.tag`, `hosts[0].name`), the only part fit for the log. */
  readonly key: string;
  /** The line, leading whitespace and the spaces before the first `=` removed. */
  readonly text: string;
  readonly typing: ValueTyping;
  /** Where it was written, for messages: `Line <line> of 'values'` unless said otherwise. */
  readonly place?: string;
}

/** `valueTypes`: how every line's value is typed, as Helm's `--set`, `--set-string` or `--set-json`. */
export const VALUE_TYPINGS = ['set', 'string', 'json'] as const satisfies readonly ValueTyping[];

/**
 * Builds the values tree from the lines in order, each one read as Helm reads a `--set` argument
 * (see setValueParser.ts). A line Helm would reject fails with Helm's reason and its line number.
 */
export function valuesTree(assignments: readonly ValueAssignment[]): ValueMap {
  const root: ValueMap = {};
  for (const a of assignments) {
    try {
      applySetLine(a.text, a.typing, root);
    } catch (e) {
      if (!(e instanceof SetLineError)) throw e;
      throw new UserError(
        `${a.place ?? `Line ${a.line} of 'values'`} (key ${a.key}): ${e.message}. The value is not shown: it may hold a secret.`,
      );
    }
  }
  return root;
}

/**
 * Parses the `values` input: one `key=value` assignment per line, typed as `typing` says. Empty
 * lines and lines starting with `#` are skipped. Every line is checked here (by building the tree),
 * so a bad line fails before anything runs.
 */
export function parseValueLines(text: string, typing: ValueTyping = 'set'): ValueAssignment[] {
  const assignments: ValueAssignment[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.replace(/^\s+/, '');
    if (line === '' || line.startsWith('#')) return;
    const eq = line.indexOf('=');
    if (eq < 0) {
      throw new UserError(
        `Line ${index + 1} of 'values' is not key=value (the line is not shown: it may hold a secret).`,
      );
    }
    const key = line.slice(0, eq).trimEnd();
    assignments.push({ line: index + 1, key, text: key + line.slice(eq), typing });
  });
  valuesTree(assignments);
  return assignments;
}

/**
 * YAML for the values: every key and string double-quoted, so Helm's YAML 1.1 reader can't turn
 * `yes`, `0755`, `1:20` or `~` into something else.
 */
export function valuesYaml(tree: ValueMap): string {
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

function leaves(value: unknown, out: string[]): string[] {
  if (typeof value === 'string') out.push(value);
  else if (typeof value === 'number' || typeof value === 'boolean') out.push(String(value));
  else if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (value !== null && typeof value === 'object') Object.values(value).forEach((v) => leaves(v, out));
  return out;
}

/**
 * The forms a secret takes once a values line holding it is typed: `--set` removes backslash
 * escapes (`tok\en` becomes `token`), so the rendered chart (a diff, Helm's error) shows a text the
 * agent does not know as secret. Returns each value of a line holding one of `secrets` that does
 * not contain that secret as it is, to be registered too.
 */
export function typedSecretForms(
  assignments: readonly ValueAssignment[],
  secrets: readonly string[],
): string[] {
  const forms = new Set<string>();
  for (const a of assignments) {
    const held = secrets.filter((s) => s !== '' && a.text.includes(s));
    if (held.length === 0) continue;
    for (const leaf of leaves(valuesTree([a]), [])) {
      if (leaf.length >= 3 && !held.some((s) => leaf.includes(s))) forms.add(leaf);
    }
  }
  return [...forms];
}
