import { UserError } from '../errors';

export const NAMING_STYLES = ['asIs', 'upperSnake'] as const;
export type NamingStyle = (typeof NAMING_STYLES)[number];

export interface NamingOptions {
  readonly style: NamingStyle;
  /** Put before every derived name (not before explicit `name => VARIABLE` renames). */
  readonly prefix: string | undefined;
}

/** A secret (one version of it) to be set as a pipeline variable. */
export interface VariableAssignment {
  /** The secret name as the user wrote it or the vault listed it. */
  readonly secret: string;
  /** The version the user asked for; undefined for the latest. */
  readonly version: string | undefined;
  readonly variable: string;
  /** The `secrets` entry that selected it, for messages. */
  readonly entry: string;
}

/** Prefixes the pipeline reserves for its own variables (Azure Pipelines "variables" docs). */
const RESERVED_PREFIXES = ['endpoint', 'input', 'secret', 'path', 'securefile'];

/**
 * `db-password` -> `DB_PASSWORD`, `DbPassword` -> `DB_PASSWORD`, `HTTPServer-key` -> `HTTP_SERVER_KEY`:
 * hyphens and camel-case boundaries become underscores, then upper case, so bash and PowerShell
 * can read the variable from the environment.
 */
export function upperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .replace(/[-_]+/g, '_')
    .toUpperCase();
}

export function variableNameFor(secret: string, rename: string | undefined, naming: NamingOptions): string {
  if (rename !== undefined) return rename;
  return `${naming.prefix ?? ''}${naming.style === 'upperSnake' ? upperSnake(secret) : secret}`;
}

/** The agent's environment form of a variable name: `.` and space become `_`, upper case. */
export function environmentName(variable: string): string {
  return variable.replace(/[. ]/g, '_').toUpperCase();
}

/** Variables whose names start with a prefix the pipeline reserves (a warning, not an error). */
export function reservedVariableNames(assignments: readonly VariableAssignment[]): string[] {
  return assignments
    .map((a) => a.variable)
    .filter((v) => RESERVED_PREFIXES.some((p) => v.toLowerCase().startsWith(p)));
}

const quoteEntry = (a: { secret: string; entry: string }) =>
  a.entry === a.secret ? `'${a.secret}'` : `'${a.secret}' (from '${a.entry}')`;

/**
 * Fails when two selected secret names differ only in case: Key Vault names are case-insensitive,
 * so both spell the same secret and would give two variables that the pipeline treats as one.
 */
export function checkCaseOnlyDifferences(refs: readonly { secret: string; entry: string }[]): void {
  const byKey = new Map<string, { secret: string; entry: string }>();
  for (const ref of refs) {
    const key = ref.secret.toLowerCase();
    const seen = byKey.get(key);
    if (seen === undefined) byKey.set(key, ref);
    else if (seen.secret !== ref.secret) {
      throw new UserError(
        `Secrets ${quoteEntry(seen)} and ${quoteEntry(ref)} differ only in case. Key Vault names are case-insensitive, ` +
          'so both name the same secret: list it once, in one spelling.',
      );
    }
  }
}

/**
 * The assignments, each variable once. Two different secrets (or versions) mapping to variables
 * the pipeline cannot tell apart (same name ignoring case, `.` and `_` alike) are an error naming both.
 */
export function uniqueAssignments(assignments: readonly VariableAssignment[]): VariableAssignment[] {
  const byVariable = new Map<string, VariableAssignment>();
  const source = (a: VariableAssignment) => `${a.secret.toLowerCase()}/${a.version?.toLowerCase() ?? ''}`;
  for (const a of assignments) {
    const key = environmentName(a.variable);
    const seen = byVariable.get(key);
    if (seen === undefined) {
      byVariable.set(key, a);
      continue;
    }
    if (source(seen) === source(a) && seen.variable === a.variable) continue;
    const what = (x: VariableAssignment) =>
      quoteEntry({ secret: x.version ? `${x.secret}/${x.version}` : x.secret, entry: x.entry });
    throw new UserError(
      `Secrets ${what(seen)} and ${what(a)} both map to the variable '${a.variable}'` +
        (seen.variable !== a.variable ? ` (and '${seen.variable}', the same to the pipeline)` : '') +
        ". Rename one of them with 'name => VARIABLE', or change variableNames or variablePrefix.",
    );
  }
  return [...byVariable.values()];
}
