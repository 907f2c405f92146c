// Shared set-up for PromoteImage@1 task-level tests: registries, connections, one runner call.
import { randomUUID } from 'node:crypto';
import type { RegistryFixture } from '../../emulators/registry';
import { runTask, type TaskRun } from '../../support/taskRunner';
import type { EndpointSpec } from '../../support/agentEnv';

/** A Docker registry service connection (generic type) for a fixture user. */
export function registryConnection(
  reg: RegistryFixture,
  user: { username: string; password: string },
): EndpointSpec {
  return {
    url: `http://${reg.host}`,
    scheme: 'UsernamePassword',
    parameters: {
      registry: `http://${reg.host}`,
      username: user.username,
      password: user.password,
      email: '',
    },
    data: { registrytype: 'Others' },
  };
}

export interface PromoteRun {
  inputs: Record<string, string>;
  sourceConnection?: EndpointSpec;
  targetConnection?: EndpointSpec;
  env?: Record<string, string>;
  secrets?: string[];
  /** Pipeline variables (e.g. Pipeline.Workspace, where a downloaded lock file lies). */
  variables?: Record<string, string>;
  /** Further service connections by id (an AzureRM connection named in azureSubscription; SystemVssConnection: the job's access token). */
  endpoints?: Record<string, EndpointSpec>;
}

/** Runs the packaged PromoteImage task with System.Debug on (the leak check covers the debug log). */
export function promote(run: PromoteRun): Promise<TaskRun> {
  const endpoints: Record<string, EndpointSpec> = { ...run.endpoints };
  const inputs = { ...run.inputs };
  if (run.sourceConnection) {
    const id = randomUUID();
    endpoints[id] = run.sourceConnection;
    inputs['sourceConnection'] = id;
  }
  if (run.targetConnection) {
    const id = randomUUID();
    endpoints[id] = run.targetConnection;
    inputs['targetConnection'] = id;
  }
  return runTask({
    task: { shipped: 'PromoteImageV1' },
    inputs,
    endpoints,
    variables: run.variables,
    debug: true,
    env: run.env,
    secrets: run.secrets,
    timeoutMs: 120_000,
  });
}

/** The output variable, failing the test clearly when the task did not set it. */
export function output(run: TaskRun, name: string): string {
  const v = run.variables[name];
  if (!v)
    throw new Error(`output '${name}' was not set; task said: ${run.message ?? run.stdout.slice(-2000)}`);
  if (!v.isOutput) throw new Error(`variable '${name}' is not an output variable`);
  return v.value;
}

export function failureOf(run: TaskRun): string {
  if (run.agentResult !== 'Failed')
    throw new Error(`expected the task to fail; it ended ${run.agentResult}:\n${run.stdout.slice(-3000)}`);
  return run.message ?? '';
}

export function succeeded(run: TaskRun): TaskRun {
  if (run.agentResult !== 'Succeeded') {
    throw new Error(
      `task ended ${run.agentResult}: ${run.message}\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-2000)}`,
    );
  }
  return run;
}
