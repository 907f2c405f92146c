// Secret values handed to the agent: masked line by line, and set as secret variables.
import * as tl from 'azure-pipelines-task-lib/task';
import { UserError } from '../errors';
import type { SecretRegistry } from '../log';
import { agentLogger } from './logger';
import { registerSecret } from './secrets';

/** A secret variable to set: its name and value. */
export interface SecretVariable {
  readonly variable: string;
  readonly value: string;
}

/**
 * The agent knob that lets `task.setvariable issecret=true` carry line breaks; without it the
 * agent rejects such a command and fails the step (TaskSetVariableCommand, "MultilineSecret").
 */
const MULTILINE_KNOB = 'SYSTEM_UNSAFEALLOWMULTILINESECRET';

/**
 * Registers a Key Vault value (or an encoded form of it) with the agent: each line, as it is and
 * trimmed (the shared registerSecret), then the whole value. task-lib's setSecret refuses a value with line breaks, so the
 * whole of a multi-line value is sent as the task.setsecret command itself, which the agent accepts.
 */
export function registerValue(value: string): void {
  if (!value) return;
  registerSecret(value); // each line, raw and trimmed
  if (/[\r\n]/.test(value)) tl.command('task.setsecret', {}, value);
}

export const keyVaultSecrets: SecretRegistry = { register: registerValue };

/**
 * Multi-line values are set as secret variables only with the agent's knob on. It is switched
 * on for the job (as AzureKeyVault@2 does) once each line of those values is registered, unless
 * the pipeline explicitly set it to false: then the task fails naming the secrets, before any
 * file is written or variable set.
 */
export function allowMultiLineVariables(variables: readonly SecretVariable[]): void {
  const multiLine = variables.filter((v) => /[\r\n]/.test(v.value));
  if (multiLine.length === 0) return;
  const names = multiLine.map((v) => `'${v.variable}'`).join(', ');
  const knob = (tl.getVariable(MULTILINE_KNOB) ?? '').trim().toLowerCase();
  if (knob === 'false') {
    throw new UserError(
      `${names} ha${multiLine.length > 1 ? 've' : 's'} a multi-line value, and the pipeline sets ${MULTILINE_KNOB} to false, ` +
        'so the agent would refuse them as secret variables. Write them into files (targetFiles) instead, ' +
        "leave them out of 'secrets', or allow multi-line secrets.",
    );
  }
  if (knob === 'true') return;
  agentLogger.info(
    `${names}: multi-line value(s), each line masked; setting ${MULTILINE_KNOB}=true for this job so that the ` +
      'agent accepts them as secret variables.',
  );
  tl.setVariable(MULTILINE_KNOB, 'true');
}

/** Sets each value as a secret variable and, if asked, also as a secret output variable. */
export function setSecretVariables(variables: readonly SecretVariable[], alsoOutput: boolean): void {
  for (const v of variables) {
    tl.setVariable(v.variable, v.value, true, false);
    if (alsoOutput) tl.setVariable(v.variable, v.value, true, true);
  }
}
