import { UserError } from '../errors';

/** A placeholder found in a file: `#{db-password}#` names the secret `db-password`. */
export interface Placeholder {
  /** The text between prefix and suffix, trimmed: a secret name, or name/version. */
  readonly name: string;
  /** 1-based line of the placeholder. */
  readonly line: number;
  readonly start: number;
  readonly end: number;
}

export interface PlaceholderSyntax {
  readonly prefix: string;
  readonly suffix: string;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The longest placeholder body considered (a Key Vault name is at most 127 characters). */
const MAX_BODY = 256;

export function validatePlaceholderSyntax(syntax: PlaceholderSyntax): PlaceholderSyntax {
  for (const [input, value] of [
    ['tokenPrefix', syntax.prefix],
    ['tokenSuffix', syntax.suffix],
  ] as const) {
    if (value.length === 0 || /[\r\n]/.test(value)) {
      throw new UserError(`Input '${input}' must be a non-empty text on one line.`);
    }
  }
  return syntax;
}

/**
 * Every placeholder in `text`: prefix, then up to 256 characters on the same line holding
 * neither the prefix nor the suffix, then the suffix. Whatever the body holds counts as a
 * placeholder (resolved or not), so a misspelt one is reported rather than silently left.
 */
export function findPlaceholders(text: string, syntax: PlaceholderSyntax): Placeholder[] {
  const p = escapeRegExp(syntax.prefix);
  const s = escapeRegExp(syntax.suffix);
  const pattern = new RegExp(`${p}((?:(?!${p}|${s})[^\\r\\n]){1,${MAX_BODY}}?)${s}`, 'g');
  const found: Placeholder[] = [];
  let line = 1;
  let counted = 0;
  for (const m of text.matchAll(pattern)) {
    for (let i = text.indexOf('\n', counted); i >= 0 && i < m.index; i = text.indexOf('\n', i + 1)) line++;
    counted = m.index;
    const body = (m[1] ?? '').trim();
    if (body.length > 0) found.push({ name: body, line, start: m.index, end: m.index + m[0].length });
  }
  return found;
}
