import * as tlInternal from 'azure-pipelines-task-lib/internal';

/**
 * An input's raw value, read without task-lib's `name=value` debug echo (tl.getInput writes every
 * input to the debug log when System.Debug is on). For inputs that may hold secret text, such as
 * Helm values. Same vault task-lib's getInput reads (one task-lib copy in the bundle).
 */
export function readInputSilently(name: string): string {
  return tlInternal._vault.retrieveSecret(`INPUT_${tlInternal._getVariableKey(name)}`) ?? '';
}
