import { UserError } from '../errors';
import type { Logger, SecretRegistry } from '../log';
import {
  type FetchReport,
  type ResolvedSecret,
  type SelectedSecret,
  fetchSelectedSecrets,
} from './fetchSecrets';
import { type RenderOptions, type RenderedFile, type SecretLookup, renderFiles } from './renderFiles';
import type { SecretSelection } from './secretSelection';
import {
  type NamingOptions,
  type VariableAssignment,
  checkCaseOnlyDifferences,
  reservedVariableNames,
  uniqueAssignments,
  variableNameFor,
} from './variableNames';
import type { VaultReader } from './vaultReader';

export const MISSING_POLICIES = ['fail', 'warn'] as const;
export type MissingPolicy = (typeof MISSING_POLICIES)[number];

export interface InjectionOptions {
  readonly selection: SecretSelection;
  readonly naming: NamingOptions;
  /** Whether the secrets become pipeline variables (their names are then checked for collisions). */
  readonly setVariables: boolean;
  /** Files whose placeholders are replaced (absolute paths). */
  readonly files: readonly string[];
  readonly render: RenderOptions;
  readonly missingSecrets: MissingPolicy;
  readonly skipDisabledAndExpired: boolean;
  readonly concurrency: number;
}

export interface InjectionDeps {
  readonly reader: VaultReader;
  readonly secrets: SecretRegistry;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** A variable to set; `value` is registered as a secret already. */
export interface VariableValue extends VariableAssignment {
  readonly value: string;
  /** The version the vault returned. */
  readonly resolvedVersion: string;
}

export interface InjectionPlan {
  readonly variables: readonly VariableValue[];
  /** Each secret version used, with the version the vault returned (for the summary). */
  readonly used: readonly { readonly name: string; readonly version: string }[];
  readonly files: readonly RenderedFile[];
  readonly fetch: FetchReport;
}

const described = (s: SelectedSecret) => `'${s.version ? `${s.name}/${s.version}` : s.name}'`;
const list = (items: readonly SelectedSecret[]) => [...new Set(items.map(described))].join(', ');

function assignmentsOf(secrets: readonly SelectedSecret[], naming: NamingOptions): VariableAssignment[] {
  return secrets.map((s) => ({
    secret: s.name,
    version: s.version,
    variable: variableNameFor(s.name, s.rename, naming),
    entry: s.entry,
  }));
}

/** Placeholder lookup: `name/version` for versions asked by entry; `name` for the latest, else the one version used. */
function lookupOf(resolved: readonly ResolvedSecret[]): SecretLookup {
  const exact = new Map<string, string>();
  const versionsByName = new Map<string, Set<string>>();
  for (const r of resolved) {
    const name = r.name.toLowerCase();
    if (r.version === undefined) exact.set(name, r.secret.value);
    exact.set(`${name}/${(r.version ?? r.secret.version).toLowerCase()}`, r.secret.value);
    versionsByName.set(name, (versionsByName.get(name) ?? new Set()).add(r.secret.version));
  }
  for (const r of resolved) {
    const name = r.name.toLowerCase();
    if (!exact.has(name) && versionsByName.get(name)?.size === 1) exact.set(name, r.secret.value);
  }
  return (placeholder) => exact.get(placeholder.toLowerCase());
}

/**
 * Everything the task will do, computed before it does any of it: secrets fetched (values
 * registered on arrival), the selection's problems reported (missing, disabled, expired, name
 * collisions), variables named and every file rendered in memory. Throws a UserError on what
 * must stop the task; the caller then writes files and sets variables.
 */
export async function planInjection(options: InjectionOptions, deps: InjectionDeps): Promise<InjectionPlan> {
  const { logger } = deps;
  const named = options.selection.entries.flatMap((e) =>
    e.kind === 'name' ? [{ name: e.name, version: e.version, entry: e.text, rename: e.rename }] : [],
  );
  checkCaseOnlyDifferences(named.map((s) => ({ secret: s.name, entry: s.entry })));
  if (options.setVariables) uniqueAssignments(assignmentsOf(named, options.naming)); // before any request

  const fetch = await fetchSelectedSecrets({
    selection: options.selection,
    reader: deps.reader,
    concurrency: options.concurrency,
    secrets: deps.secrets,
    now: deps.now,
  });

  if (fetch.missing.length > 0) {
    const message = `The vault has no secret ${list(fetch.missing)}.`;
    if (options.missingSecrets === 'fail') {
      throw new UserError(`${message} Check the names in 'secrets', or set missingSecrets to warn.`);
    }
    logger.warn(`${message} Skipped (missingSecrets: warn).`);
  }
  if (fetch.inactive.length > 0) {
    const names = fetch.inactive.map((s) => `${described(s)} (${s.reason})`).join(', ');
    if (!options.skipDisabledAndExpired) {
      throw new UserError(
        `Secrets that cannot be used now were selected: ${names}. Enable or renew them, leave them out of ` +
          "'secrets', or set skipDisabledAndExpired to true.",
      );
    }
    logger.warn(`Skipped secrets that cannot be used now: ${names}.`);
  }
  fetch.unmatchedPatterns.forEach((p) => logger.warn(`No secret of the vault matches '${p}'.`));

  let variables: VariableValue[] = [];
  if (options.setVariables) {
    const byAssignment = new Map<VariableAssignment, ResolvedSecret>();
    const assignments = fetch.resolved.map((r) => {
      const [a] = assignmentsOf([r], options.naming) as [VariableAssignment];
      byAssignment.set(a, r);
      return a;
    });
    variables = uniqueAssignments(assignments).map((a) => {
      const r = byAssignment.get(a) as ResolvedSecret;
      return { ...a, value: r.secret.value, resolvedVersion: r.secret.version };
    });
    const reserved = reservedVariableNames(variables);
    if (reserved.length > 0) {
      logger.warn(
        `Variable names starting with a prefix the pipeline reserves (endpoint, input, secret, path, securefile): ` +
          `${reserved.join(', ')}. Consider variablePrefix.`,
      );
    }
  }

  const files = renderFiles(options.files, lookupOf(fetch.resolved), options.render, deps.secrets, logger);
  const used = new Map<string, { name: string; version: string }>();
  for (const r of fetch.resolved)
    used.set(`${r.secret.name.toLowerCase()}/${r.secret.version}`, {
      name: r.secret.name,
      version: r.secret.version,
    });
  return { variables, used: [...used.values()], files, fetch };
}
