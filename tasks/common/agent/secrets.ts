import * as tlInternal from 'azure-pipelines-task-lib/internal';
import * as tl from 'azure-pipelines-task-lib/task';
import type { SecretRegistry } from '../log';
import { markdownCell } from '../markdown';

const registered = new Set<string>();

function setSecretOnce(value: string): void {
  if (registered.has(value)) return;
  registered.add(value);
  tl.setSecret(value);
}

/**
 * Registers a secret with the agent. The agent masks line by line and task-lib refuses a
 * multi-line secret, so a multi-line value is registered as each of its non-blank lines, raw and trimmed.
 * A value is registered once per run, however often the library holds it.
 */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  const lines = value.split(/\r?\n|\r/);
  if (lines.length === 1) {
    setSecretOnce(value);
    return;
  }
  for (const line of lines) {
    // As it is, and trimmed: an indented line (a kubeconfig, a PEM in YAML) is often printed without its indent.
    for (const form of new Set([line, line.trim()])) if (form.trim().length > 0) setSecretOnce(form);
  }
}

export const agentSecrets: SecretRegistry = { register: registerSecret };

/**
 * Every value the agent masks: the pipeline's secret variables and what this task registered. For
 * redacting transformed forms (escaped, base64) the agent's line masking would not catch.
 */
export function knownSecrets(): string[] {
  // Read from task-lib's vault, not with getVariable(s), which write the values to the debug log.
  const variables = Object.entries(tlInternal._knownVariableMap)
    .filter(([, info]) => info.secret)
    .map(([key]) => tlInternal._vault.retrieveSecret(`SECRET_${key}`) ?? '')
    .filter((value) => value !== '');
  return [...new Set([...variables, ...registered])];
}

/**
 * Text with every secret the agent knows (the pipeline's secret variables and what this task
 * registered), as it is and as a markdown cell escapes it, replaced by `***`, as the agent masks
 * the log: for what the agent uploads without masking (build summary files).
 */
export function maskSecrets(text: string): string {
  const forms = new Set(knownSecrets().flatMap((secret) => [secret, markdownCell(secret)]));
  return [...forms]
    .sort((a, b) => b.length - a.length)
    .reduce((masked, secret) => masked.split(secret).join('***'), text);
}
