import { UserError } from '../errors';
import { wildcardRegExp } from '../wildcard';

/**
 * One entry of the `secrets` input:
 *  - `*`                      every secret of the vault;
 *  - `db-*`, `app-?-key`      a glob (`*` any run of characters, `?` one), case-insensitive as Key Vault names are;
 *  - `db-password`            one secret, its latest version;
 *  - `db-password/0123abcd`   one version of a secret;
 *  - `db-password => DB_PWD`  a secret (or a version) set under a variable name of its own.
 * Entries are separated by new lines or commas; blank lines and lines starting with # are ignored.
 */
export type SecretEntry =
  | { readonly kind: 'glob'; readonly text: string; readonly pattern: RegExp }
  | {
      readonly kind: 'name';
      readonly text: string;
      readonly name: string;
      readonly version: string | undefined;
      readonly rename: string | undefined;
    };

export interface SecretSelection {
  readonly entries: readonly SecretEntry[];
  /** A glob (or `*`) is present: the vault's secrets must be listed. Without one, nothing is listed. */
  readonly needsListing: boolean;
}

/** Key Vault secret names: 1-127 characters, letters, digits and hyphens. */
export const SECRET_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const GLOB = /^[0-9a-zA-Z*?-]{1,127}$/;
const VERSION = /^[0-9a-zA-Z]{1,64}$/;
/** Pipeline variable names: letters, digits, `.`, `_` and `-` (Key Vault names carry hyphens). */
export const VARIABLE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

function parseEntry(text: string): SecretEntry {
  const arrow = text.indexOf('=>');
  const target = (arrow < 0 ? text : text.slice(0, arrow)).trim();
  const rename = arrow < 0 ? undefined : text.slice(arrow + 2).trim();
  if (/[*?]/.test(target)) {
    if (!GLOB.test(target)) {
      throw new UserError(
        `secrets: '${text}' is not a valid pattern: use letters, digits, hyphens and the wildcards * and ?.`,
      );
    }
    if (rename !== undefined) {
      throw new UserError(
        `secrets: '${text}' renames a pattern; '=> VARIABLE' names one secret's variable, so use it with a single secret name.`,
      );
    }
    return { kind: 'glob', text, pattern: wildcardRegExp(target) };
  }
  const [name = '', version, ...rest] = target.split('/');
  if (!SECRET_NAME.test(name)) {
    throw new UserError(
      `secrets: '${text}' does not name a Key Vault secret: names are 1-127 letters, digits and hyphens.`,
    );
  }
  if (rest.length > 0 || (version !== undefined && !VERSION.test(version))) {
    throw new UserError(
      `secrets: '${text}' has an invalid version: write name/version with the version id (letters and digits).`,
    );
  }
  if (rename !== undefined && !VARIABLE_NAME.test(rename)) {
    throw new UserError(
      `secrets: '${text}' renames to '${rename}', which is not a valid variable name (letters, digits, '.', '_', '-').`,
    );
  }
  return { kind: 'name', text, name, version, rename };
}

/** Parses the `secrets` input (its lines); an empty input means `*`. */
export function parseSecretSelection(lines: readonly string[]): SecretSelection {
  const texts = lines
    .flatMap((line) => line.split(','))
    .map((t) => t.trim())
    .filter((t) => t.length > 0 && !t.startsWith('#'));
  const entries = (texts.length > 0 ? texts : ['*']).map(parseEntry);
  return { entries, needsListing: entries.some((e) => e.kind === 'glob') };
}

/** The glob entries that select a listed secret name. */
export function globsMatching(selection: SecretSelection, name: string): SecretEntry[] {
  return selection.entries.filter((e) => e.kind === 'glob' && e.pattern.test(name));
}
