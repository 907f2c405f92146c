import * as tl from 'azure-pipelines-task-lib/task';
import type { SecretRegistry } from '../log';

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
 * Text with every secret registered in this run replaced by `***`, as the agent masks the log:
 * for what the agent uploads without masking (build summary files).
 */
export function maskRegisteredSecrets(text: string): string {
  return [...registered]
    .sort((a, b) => b.length - a.length)
    .reduce((masked, secret) => masked.split(secret).join('***'), text);
}
