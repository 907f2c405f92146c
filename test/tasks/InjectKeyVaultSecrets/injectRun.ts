// Runs the shipped InjectKeyVaultSecrets task as the agent does, against the test environment's
// emulators, with System.Debug on and every Key Vault value given to the runner's leak check.
import { type TaskRun, runTask } from '../../support/taskRunner';
import { CONNECTION_ID, type KeyVaultTestEnvironment } from '../../support/keyVaultEnvironment';

export const TASK = { shipped: 'InjectKeyVaultSecretsV1' } as const;

export interface InjectRunOptions {
  readonly stage?: 'prejobexecution' | 'execution';
  readonly variables?: Record<string, string>;
  readonly timeoutMs?: number;
}

export function injectRunner(env: KeyVaultTestEnvironment, values: () => readonly string[]) {
  return (inputs: Record<string, string>, options: InjectRunOptions = {}): Promise<TaskRun> =>
    runTask({
      task: TASK,
      inputs: { azureSubscription: CONNECTION_ID, keyVaultName: env.vault.url, ...inputs },
      endpoints: { [CONNECTION_ID]: env.endpoint },
      env: env.env,
      debug: true,
      secrets: [...values()],
      stage: options.stage,
      variables: options.variables,
      timeoutMs: options.timeoutMs,
    });
}

/** The variables a run set as secrets, name -> value. */
export function secretVariables(run: TaskRun): Record<string, string> {
  return Object.fromEntries(
    Object.entries(run.variables)
      .filter(([, v]) => v.isSecret)
      .map(([name, v]) => [name, v.value]),
  );
}

/** Warning and error messages of a run. */
export const messages = (run: TaskRun, type: 'warning' | 'error') =>
  run.issues.filter((i) => i.type === type).map((i) => i.message);
