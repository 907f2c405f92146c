// Plays the steps of one job with the packaged tasks, as the agent does: one work folder for the
// job, outputs of earlier steps as `$(step.name)` variables, secrets registered by any step masked
// for the rest of the job, artifacts published by a step available to `download: current`, and
// conditions deciding which steps run after a failure. All steps are checked (task, version,
// inputs, connections) before the first one runs.
import fs from 'node:fs';
import path from 'node:path';
import { SYSTEM_VSS_CONNECTION, Var, agentDirs, type AgentDirs, type EndpointSpec } from '../agentEnv';
import { LeakError, collectSecrets, redact, type KnownSecret } from '../leakCheck';
import type { TaskResultName, UploadedArtifact } from '../logCommands';
import { RestrictionError, TaskTimeoutError, runTask, type TaskRun } from '../taskRunner';
import { agentLog, type LogLine } from './agentLog';
import type { Connections } from './connections';
import type { Condition, PipelineStep, TaskStep } from './pipelineFile';
import { TaskCatalog, prepareInputs, type PreparedInputs, type ResolvedTask } from './taskCatalog';

export type StepResultName = TaskResultName;

export interface StepVariable {
  readonly name: string;
  /** `***` for a secret variable. */
  readonly shown: string;
  readonly isSecret: boolean;
  readonly isOutput: boolean;
}

export interface StepResult {
  readonly title: string;
  /** `PromoteImage@1`, or `download` for a download step. */
  readonly task: string;
  readonly name?: string;
  readonly result: StepResultName;
  readonly message?: string;
  readonly log: readonly LogLine[];
  readonly variables: readonly StepVariable[];
  /** Markdown the step attached to the summary tab, secrets masked. */
  readonly summaries: readonly string[];
  readonly durationMs: number;
}

/** What a job carries from step to step (and, for the demo, from stage to stage). */
export class JobState {
  readonly variables: Record<string, string> = {};
  readonly secretVariables: Record<string, string> = {};
  /** Values registered as secrets by any step so far. */
  readonly registered = new Set<string>();
  readonly artifacts = new Map<string, UploadedArtifact>();
  failed = false;

  constructor(
    readonly dirs: AgentDirs,
    readonly sourcesDir: string,
  ) {}

  /** Every secret the job knows, for masking. */
  secrets(extra: readonly KnownSecret[] = []): KnownSecret[] {
    return [
      ...collectSecrets({ secretVariables: this.secretVariables }),
      ...[...this.registered]
        .filter((v) => v.length >= 4)
        .map((value) => ({ label: 'registered secret', value })),
      ...extra,
    ];
  }

  /** The raw value of a variable (an output is `step.name`), for callers that own the run. */
  value(name: string): string | undefined {
    const key = Object.keys(this.variables).find((k) => k.toLowerCase() === name.toLowerCase());
    return key !== undefined ? this.variables[key] : undefined;
  }
}

/** A work folder laid out like an agent's, under `root`; sources are the user's folder. */
export function createJob(root: string, sourcesDir: string): JobState {
  const dirs = { ...agentDirs(root), sources: sourcesDir };
  for (const dir of Object.values<string>(dirs)) fs.mkdirSync(dir, { recursive: true });
  return new JobState(dirs, sourcesDir);
}

export interface RunStepsOptions {
  readonly steps: readonly PipelineStep[];
  readonly job: JobState;
  readonly connections: Connections;
  readonly connectionsFile?: string;
  /** Pipeline variables (Build.SourceBranch...), applied under the outputs of earlier steps. */
  readonly variables?: Record<string, string>;
  /** Extra environment for each task process (PATH, NODE_EXTRA_CA_CERTS, proxy settings). */
  readonly env?: Record<string, string>;
  readonly debug?: boolean;
  readonly catalog?: TaskCatalog;
  /** Called as each step ends. */
  readonly onStep?: (result: StepResult) => void;
}

const DEFAULT_STEP_TIMEOUT_MIN = 10;

function shouldRun(condition: Condition, failed: boolean): boolean {
  switch (condition) {
    case 'succeeded':
      return !failed;
    case 'failed':
      return failed;
    case 'always':
    case 'succeededOrFailed':
      return true;
    case 'never':
      return false;
  }
}

function titleOf(step: PipelineStep, task?: ResolvedTask): string {
  if (step.displayName) return step.displayName;
  if (step.kind === 'download') return `Download artifact ${step.artifact}`;
  return task?.def.friendlyName ?? `${step.task}@${step.major}`;
}

function skipped(step: PipelineStep, task?: ResolvedTask): StepResult {
  return {
    title: titleOf(step, task),
    task: step.kind === 'task' ? `${step.task}@${step.major}` : 'download',
    ...(step.kind === 'task' && step.name ? { name: step.name } : {}),
    result: 'Skipped',
    message: `condition ${step.condition === 'never' ? 'false' : `${step.condition}()`} not met`,
    log: [],
    variables: [],
    summaries: [],
    durationMs: 0,
  };
}

/** `download: current`: the artifact's files into $(Pipeline.Workspace)/<name>, as the agent does. */
function download(step: Extract<PipelineStep, { kind: 'download' }>, job: JobState): StepResult {
  const started = Date.now();
  const artifact = job.artifacts.get(step.artifact.toLowerCase());
  const base = { title: titleOf(step), task: 'download', variables: [], summaries: [] };
  if (!artifact) {
    const known = [...job.artifacts.keys()].join(', ') || 'none';
    return {
      ...base,
      result: 'Failed',
      message: `no artifact '${step.artifact}' was published by an earlier step (published: ${known})`,
      log: [],
      durationMs: Date.now() - started,
    };
  }
  const target = path.join(job.dirs.build, step.artifact);
  fs.mkdirSync(target, { recursive: true });
  const source = path.resolve(job.sourcesDir, artifact.path);
  const isDir = fs.statSync(source).isDirectory();
  fs.cpSync(source, isDir ? target : path.join(target, path.basename(source)), { recursive: true });
  return {
    ...base,
    result: 'Succeeded',
    log: [{ kind: 'text', text: `Downloaded artifact '${step.artifact}' to ${target}` }],
    durationMs: Date.now() - started,
  };
}

function endpointsOf(prepared: PreparedInputs, connections: Connections): Record<string, EndpointSpec> {
  const endpoints: Record<string, EndpointSpec> = {};
  for (const id of prepared.connectionIds) {
    const connection = [...connections.byName.values()].find((c) => c.id === id);
    if (connection) endpoints[id] = connection.endpoint;
  }
  if (connections.system) endpoints[SYSTEM_VSS_CONNECTION] = connections.system.endpoint;
  return endpoints;
}

function failureMessage(err: unknown): { message: string; run?: TaskRun; stdout?: string; stderr?: string } {
  if (err instanceof LeakError) {
    return {
      run: err.run,
      message: 'the task printed a secret (masked in this log): that is a bug in the task, please report it',
    };
  }
  if (err instanceof RestrictionError) return { run: err.run, message: err.message };
  if (err instanceof TaskTimeoutError)
    return { message: err.message.split('\n')[0] ?? '', stdout: err.stdout, stderr: err.stderr };
  return { message: (err as Error).message };
}

async function runTaskStep(
  step: TaskStep,
  task: ResolvedTask,
  prepared: PreparedInputs,
  options: RunStepsOptions,
): Promise<StepResult> {
  const { job } = options;
  const started = Date.now();
  const endpoints = endpointsOf(prepared, options.connections);
  const endpointSecrets = collectSecrets({ endpoints });
  const variables = {
    ...options.variables,
    ...options.connections.system?.variables,
    ...job.variables,
    [Var.AgentJobStatus]: job.failed ? 'Failed' : 'Succeeded',
    [Var.BuildSourcesDirectory]: job.sourcesDir,
    [Var.BuildRepositoryLocalPath]: job.sourcesDir,
    [Var.SystemDefaultWorkingDirectory]: job.sourcesDir,
  };
  let run: TaskRun | undefined;
  let failure: ReturnType<typeof failureMessage> | undefined;
  try {
    run = await runTask({
      taskDir: task.dir,
      dirs: job.dirs,
      inputs: prepared.inputs,
      endpoints,
      variables,
      secretVariables: job.secretVariables,
      secrets: [...job.registered].filter((v) => v.length >= 4),
      debug: options.debug ?? false,
      timeoutMs: (step.timeoutInMinutes ?? DEFAULT_STEP_TIMEOUT_MIN) * 60_000,
      env: { ...options.env, ...step.env },
    });
  } catch (err) {
    failure = failureMessage(err);
    run = failure.run;
  }
  run?.secrets.forEach((s) => job.registered.add(s));
  const shown: StepVariable[] = [];
  for (const [name, v] of Object.entries(run?.variables ?? {})) {
    const key = v.isOutput && step.name ? `${step.name}.${name}` : name;
    if (v.isSecret) {
      job.secretVariables[key] = v.value;
      delete job.variables[key];
      job.registered.add(v.value);
    } else job.variables[key] = v.value;
    shown.push({
      name: key,
      shown: v.isSecret ? '***' : v.value,
      isSecret: v.isSecret,
      isOutput: v.isOutput,
    });
  }
  const secrets = job.secrets(endpointSecrets);
  for (const s of shown) if (!s.isSecret) (s as { shown: string }).shown = redact(s.shown, secrets);
  run?.artifacts.forEach((a) =>
    job.artifacts.set((a.artifactName ?? path.basename(a.path)).toLowerCase(), a),
  );
  const stdout = run?.stdout ?? failure?.stdout ?? '';
  const stderr = run?.stderr ?? failure?.stderr ?? '';
  const result: StepResultName = failure ? 'Failed' : (run?.agentResult ?? 'Failed');
  const message = failure?.message ?? run?.message;
  const final: StepResultName = result === 'Failed' && step.continueOnError ? 'SucceededWithIssues' : result;
  if (final === 'Failed') job.failed = true;
  return {
    title: titleOf(step, task),
    task: `${task.def.name}@${step.major}`,
    ...(step.name ? { name: step.name } : {}),
    result: final,
    ...(message ? { message: redact(message, secrets) } : {}),
    log: agentLog(stdout, stderr, secrets, options.debug ?? false),
    variables: shown,
    summaries: (run?.summaries ?? []).map((s) => redact(s.content, secrets)),
    durationMs: Date.now() - started,
  };
}

/** Runs the steps in order; resolves with every step's result (skipped ones included). */
export async function runSteps(options: RunStepsOptions): Promise<StepResult[]> {
  const catalog = options.catalog ?? new TaskCatalog();
  const checked = options.steps.map((step) => {
    if (step.kind !== 'task') return { step };
    const task = catalog.find(step);
    return { step, task, prepared: prepareInputs(step, task, options.connections, options.connectionsFile) };
  });
  const results: StepResult[] = [];
  for (const { step, task, prepared } of checked) {
    let result: StepResult;
    if (!shouldRun(step.condition, options.job.failed)) result = skipped(step, task);
    else if (step.kind === 'download') {
      result = download(step, options.job);
      if (result.result === 'Failed') options.job.failed = true;
    } else result = await runTaskStep(step, task as ResolvedTask, prepared as PreparedInputs, options);
    results.push(result);
    options.onStep?.(result);
  }
  return results;
}
