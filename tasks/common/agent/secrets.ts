import * as tl from 'azure-pipelines-task-lib/task';
import type { SecretRegistry } from '../log';

/**
 * Registers a secret with the agent: the whole value and, for a multi-line value, each line,
 * because the agent masks line by line.
 */
export function registerSecret(value: string | undefined): void {
  if (!value) return;
  tl.setSecret(value);
  const lines = value.split(/\r?\n/);
  if (lines.length > 1) {
    for (const line of lines) {
      if (line.trim().length > 0) tl.setSecret(line);
    }
  }
}

export const agentSecrets: SecretRegistry = { register: registerSecret };
