import * as tl from 'azure-pipelines-task-lib/task';

/**
 * A pipeline variable the agent hands the task (`Build.SourceBranch`, `Agent.TempDirectory`), as
 * task-lib reads it; undefined when not set. Read in a task's inputs.ts, with its inputs.
 */
export function agentVariable(name: string): string | undefined {
  return tl.getVariable(name);
}
