import { UserError } from '../errors';
import { valuesTree, type ValueAssignment } from './valuesFile';

/** Steps over one character, or over an escape (`\,`) whole. */
const step = (text: string, i: number): number => (text[i] === '\\' ? i + 2 : i + 1);

/**
 * Splits one `--set` argument into its assignments where Helm's strvals parser splits it: at a comma
 * outside a `{...}` list, `\,` not counted. A list ends its assignment at `}` (one comma after it
 * skipped), as strvals then reads the next key. Escapes stay, for the assignment's own parse.
 */
export function splitSetArgument(argument: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < argument.length) {
    const start = i;
    while (i < argument.length && argument[i] !== '=' && argument[i] !== ',') i = step(argument, i);
    if (argument[i] === '=') {
      i += 1;
      const list = argument[i] === '{';
      while (i < argument.length && argument[i] !== (list ? '}' : ',')) i = step(argument, i);
      if (list && i < argument.length) i += 1;
    }
    parts.push(argument.slice(start, Math.min(i, argument.length)));
    if (argument[i] === ',') i += 1;
  }
  return parts;
}

/**
 * HelmDeploy@1's `overrideValues`, with its meaning: assignments separated by commas or new lines,
 * all given to Helm as one `--set` (the built-in joins the non-empty lines with commas). Each
 * assignment is typed as `--set` types it and checked here, so a bad one fails before anything runs;
 * its value is never quoted in a message.
 */
export function parseOverrideValues(text: string, input = 'overrideValues'): ValueAssignment[] {
  const argument = text
    .split(/\r?\n/)
    .filter((line) => line !== '')
    .join(',');
  const assignments = splitSetArgument(argument).map((part, index): ValueAssignment => {
    const place = `Assignment ${index + 1} of '${input}'`;
    const eq = part.indexOf('=');
    if (eq < 0)
      throw new UserError(
        `${place} is not key=value: assignments are separated by commas or new lines, a comma inside a value is written \\, (the text is not shown: it may hold a secret).`,
      );
    const key = part.slice(0, eq);
    return { line: index + 1, key, text: part, typing: 'set', place };
  });
  valuesTree(assignments);
  return assignments;
}
