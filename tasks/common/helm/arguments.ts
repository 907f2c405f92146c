import { UserError } from '../errors';

/**
 * Splits an `arguments` input the way a POSIX shell would split words: whitespace separates,
 * single quotes keep everything, double quotes keep everything but `\"` and `\\`, a backslash
 * outside quotes escapes the next character. No variables, globs or substitutions.
 */
export function splitArguments(text: string): string[] {
  const args: string[] = [];
  let current = '';
  let inWord = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] ?? '';
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else current += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) current += text[++i];
      else current += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < text.length) {
      current += text[++i];
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) args.push(current);
      current = '';
      inWord = false;
    } else {
      current += c;
      inWord = true;
    }
  }
  if (quote) throw new UserError(`Input 'arguments' has an unclosed ${quote} quote.`);
  if (inWord) args.push(current);
  return args;
}

/** Flags the task owns: giving them in `arguments` would fight the task's own. */
const OWNED_FLAGS: Record<string, string> = {
  '--post-renderer': "give the executable in 'postRenderer' (it runs before the change-cause post-renderer)",
  '--post-renderer-args': "give them in 'postRendererArgs'",
  '--kubeconfig': "choose the cluster with 'connectionType'",
  '--description': "the description is the change cause: set 'changeCause'",
};

/** Refuses the flags the task sets itself, saying which input to use instead. */
export function checkExtraArguments(args: readonly string[]): readonly string[] {
  for (const arg of args) {
    const flag = arg.split('=')[0] ?? arg;
    const instead = OWNED_FLAGS[flag];
    if (instead) throw new UserError(`Input 'arguments' must not set ${flag}: ${instead}.`);
  }
  return args;
}

/** A Helm duration (`5m`, `300s`, `1h30m`); a bare number is seconds. */
export function helmDuration(text: string): string {
  const value = text.trim();
  if (/^\d+$/.test(value)) return `${value}s`;
  if (/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(value)) return value;
  throw new UserError(`Input 'timeout' (${text}) is not a duration such as 5m, 300s or 1h30m.`);
}
