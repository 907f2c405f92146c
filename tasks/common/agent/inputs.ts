import * as tlInternal from 'azure-pipelines-task-lib/internal';
import * as tl from 'azure-pipelines-task-lib/task';
import { UserError } from '../errors';

/**
 * Typed, validated access to task inputs. Inputs given under an alias (task.json `aliases`, the
 * built-in tasks' names) reach the task under the declared name only: the service resolves aliases
 * before the job reaches the agent, so a reader cannot tell which name was used. An alias is
 * therefore declared only where the declared input's syntax is a superset of the built-in's with
 * the same meaning (AzureKeyVault@2's comma-separated `SecretsFilter`), never where one text means
 * two things (HelmDeploy@1's `overrideValues: a=1,b=2` is two `--set` values, in `values` one).
 * Only a task's own `inputs.ts` uses it, once, to build
 * a read-only options object; library code never reads inputs.
 */
export const inputs = {
  /** A trimmed string, or undefined when empty. */
  optional(name: string): string | undefined {
    const value = tl.getInput(name, false)?.trim();
    return value ? value : undefined;
  },

  required(name: string): string {
    const value = inputs.optional(name);
    if (value === undefined) throw new UserError(`Input '${name}' is required but was empty.`);
    return value;
  },

  /**
   * A service connection input: the connection's id, checked to be one the agent handed this job,
   * so a wrong or unauthorized connection fails naming the input. Undefined when empty.
   */
  connection(name: string): string | undefined {
    const id = inputs.optional(name);
    if (id !== undefined && !tl.getEndpointAuthorization(id, true)) {
      throw new UserError(
        `Input '${name}' names service connection '${id}', which is not available to this job: check that ` +
          'the connection exists and that the pipeline is authorized to use it.',
      );
    }
    return id;
  },

  requiredConnection(name: string): string {
    const id = inputs.connection(name);
    if (id === undefined) throw new UserError(`Input '${name}' is required but was empty.`);
    return id;
  },

  /**
   * An optional input turned into a value by `parse`; a UserError from it is prefixed with the
   * input's name, so the message says which input to fix.
   */
  parsed<T>(name: string, parse: (text: string) => T): T | undefined {
    const value = inputs.optional(name);
    if (value === undefined) return undefined;
    try {
      return parse(value);
    } catch (err) {
      if (err instanceof UserError) throw new UserError(`Input '${name}': ${err.message}`);
      throw err;
    }
  },

  /** Strict boolean: only true/false spellings are accepted. */
  boolean(name: string, defaultValue: boolean): boolean {
    const value = inputs.optional(name);
    if (value === undefined) return defaultValue;
    switch (value.toLowerCase()) {
      case 'true':
        return true;
      case 'false':
        return false;
      default:
        throw new UserError(`Input '${name}' must be true or false, got '${value}'.`);
    }
  },

  /**
   * One of `allowed` (any case). `spellings` maps other accepted values to allowed ones: the values
   * a built-in task takes under the same input name or an alias (HelmDeploy@1's
   * `connectionType: Azure Resource Manager`), since the agent hands the task only the value.
   */
  choice<T extends string>(
    name: string,
    allowed: readonly T[],
    defaultValue: T,
    spellings: Readonly<Record<string, T>> = {},
  ): T {
    const value = inputs.optional(name);
    if (value === undefined) return defaultValue;
    const match =
      allowed.find((a) => a.toLowerCase() === value.toLowerCase()) ??
      Object.entries(spellings).find(([s]) => s.toLowerCase() === value.toLowerCase())?.[1];
    if (match === undefined) {
      throw new UserError(`Input '${name}' must be one of ${allowed.join(', ')}; got '${value}'.`);
    }
    return match;
  },

  integer(name: string, range: { min: number; max: number }, defaultValue: number): number {
    const value = inputs.optional(name);
    if (value === undefined) return defaultValue;
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || n < range.min || n > range.max) {
      throw new UserError(
        `Input '${name}' must be a whole number from ${range.min} to ${range.max}; got '${value}'.`,
      );
    }
    return n;
  },

  /**
   * A filePath input, or undefined when the user gave none: the agent hands an empty filePath
   * input over as the sources folder, so emptiness is asked of task-lib, not of the value.
   */
  filePath(name: string): string | undefined {
    return tl.filePathSupplied(name) ? inputs.optional(name) : undefined;
  },

  /**
   * An input that may carry secret text (Helm values), read as given and without task-lib's
   * `name=value` debug echo: tl.getInput writes every value to the debug log when System.Debug is
   * on. Reads the same vault getInput reads (one task-lib copy per bundle).
   */
  silent(name: string): string {
    return tlInternal._vault.retrieveSecret(`INPUT_${tlInternal._getVariableKey(name)}`) ?? '';
  },

  /** Non-empty, trimmed lines; lines starting with # are comments. */
  lines(name: string): string[] {
    const value = tl.getInput(name, false) ?? '';
    return value
      .split(/\r?\n/)
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !l.startsWith('#'));
  },
};
