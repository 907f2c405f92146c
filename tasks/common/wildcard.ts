/**
 * A wildcard pattern as a whole-text, case-insensitive RegExp: `*` is any run of characters, `?`
 * one character, everything else itself. The one rule for image filters (pinning include and
 * exclude) and Key Vault secret name globs.
 */
export function wildcardRegExp(pattern: string): RegExp {
  const body = pattern
    .split('')
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&')))
    .join('');
  return new RegExp(`^${body}$`, 'i');
}
