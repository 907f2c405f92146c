// Runs a task bundle as the Azure Pipelines agent does (used by the tests and by `npm run task`): `node <task>/index.js` in its own process,
// inputs, variables and service connections handed over through the environment (agent
// Handler.cs / TaskRunner.cs), logging commands read back from its output. The environment is
// built from scratch (PATH, a per-run HOME, the protocol, options.env), never copied from the test
// process. Every run is leak-checked: a secret in the output makes runTask reject with a LeakError,
// and a Node deprecation warning with a DeprecationWarningError. The Node binary is chosen per run
// (`node`, else NODE_FOR_TASKS, else this process's), with the task.json handler an agent would pick.
//
//   after(disposeTaskRuns);
//   const run = await runTask({ task: { shipped: 'PromoteImageV1' }, inputs: { sourceImage: '...' } });
//   assert.equal(run.result, 'Succeeded');
//   assert.equal(run.variables['digest']?.value, expected);
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentDirs, EndpointSpec, agentDirs, agentEnvironment } from './agentEnv';
import { LeakError, ScannedText, collectSecrets, findLeaks, redact, visibleOutput } from './leakCheck';
import {
  LoggingCommand,
  OutputVariable,
  SUMMARY_ATTACHMENT_TYPE,
  TaskIssue,
  TaskAttachment,
  TaskResultName,
  UploadedArtifact,
  outputLines,
  parseTaskOutput,
} from './logCommands';
import { type TaskDefinition, readTaskDefinition, shippedTaskDir, testTaskDir } from './vsix';

export type { EndpointSpec } from './agentEnv';

/** A shipped task, run from the unpacked .vsix, or a test-only task from build/test-tasks. */
export type TaskRef = { shipped: string } | { testOnly: string };

type Stage = 'prejobexecution' | 'execution' | 'postjobexecution';

export interface TaskRunOptions {
  task?: TaskRef;
  /** By input name or alias; trimmed, `$(var)` expanded, defaults from task.json, as the agent does. */
  inputs?: Record<string, string>;
  /** By connection id (a GUID, or SystemVssConnection); each must be referenced by an input. */
  endpoints?: Record<string, EndpointSpec>;
  /** Pipeline variables by name (`Build.BuildNumber`); they override the runner's defaults. */
  variables?: Record<string, string>;
  secretVariables?: Record<string, string>;
  /** More values the task must never print. */
  secrets?: string[];
  /** Sets System.Debug=true. */
  debug?: boolean;
  /** Working directory; default System.DefaultWorkingDirectory, like the agent. */
  cwd?: string;
  /** Default 60 s; on expiry the task's process group is killed and runTask rejects. */
  timeoutMs?: number;
  /** Extra environment (NODE_EXTRA_CA_CERTS, DOCKER_CONFIG...); applied last. */
  env?: Record<string, string>;
  /**
   * The Node binary that runs the task, as an agent's own Node 20 or Node 24; default the
   * NODE_FOR_TASKS environment variable, else the Node running the runner. The task.json handler
   * matching its major version runs (Node24 from 24 on, else Node20_1).
   */
  node?: string;
  /** The task.json stage whose handler target runs; default `execution` (the step itself). */
  stage?: Stage;
  /**
   * A work folder shared by the steps of one job (a pipeline run); the caller creates and removes
   * it. Default: a fresh folder per run, removed by dispose() or disposeTaskRuns().
   */
  dirs?: AgentDirs;
  /** A task folder (holding task.json) found by the caller; overrides `task`. */
  taskDir?: string;
}

export interface TaskRun {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** Merged task.complete results; undefined when the task sent none. */
  result?: TaskResultName;
  message?: string;
  /** What the agent would record: Failed on a non-zero exit code or a rejected command. */
  agentResult: TaskResultName;
  variables: Record<string, OutputVariable>;
  secrets: string[];
  issues: TaskIssue[];
  /** Build summary sections (uploadsummary, addattachment of the summary type): title, file, markdown. */
  summaries: { title: string; path: string; content: string }[];
  /** Every task.addattachment the agent accepted, summaries included. */
  attachments: TaskAttachment[];
  artifacts: UploadedArtifact[];
  groups: string[];
  debug: string[];
  /** Commands the agent would reject (each fails the step on a real agent). */
  commandErrors: string[];
  /** Every logging command the agent would have seen, in order. */
  commands: LoggingCommand[];
  /** Lines the log viewer formats (`##[group]`, `##[error]`...). */
  formatLines: string[];
  /** The Node binary that ran the task. */
  node: string;
  /** The run's folder: agent work folder, temp, sources, staging, HOME. */
  tempDir: string;
  dirs: AgentDirs;
  /** Removes tempDir. */
  dispose(): void;
}

/**
 * The task set a variable (or prepended to PATH) that its task.json `restrictions` do not allow. The
 * agent warns and ignores it; a test fails, so a regression cannot pass unnoticed.
 */
export class RestrictionError extends Error {
  override readonly name = 'RestrictionError';
  constructor(
    readonly refused: readonly string[],
    readonly run: TaskRun,
  ) {
    super(`The agent would refuse (task.json restrictions.settableVariables): ${refused.join(', ')}`);
  }
}

export class TaskTimeoutError extends Error {
  override readonly name = 'TaskTimeoutError';
  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
    readonly tempDir: string,
  ) {
    super(message);
  }
}

/**
 * The task printed a Node deprecation warning (`(node:PID) [DEP0169] DeprecationWarning: ...` on
 * stderr): on an agent it lands in every log, and it announces code a later Node removes.
 */
export class DeprecationWarningError extends Error {
  override readonly name = 'DeprecationWarningError';
  constructor(
    readonly warnings: readonly string[],
    readonly run: TaskRun,
  ) {
    super(`The task printed Node deprecation warning(s) on ${run.node}:\n${warnings.join('\n')}`);
  }
}

/** Deprecation warnings in a task's stderr, one line each. */
export function deprecationWarnings(stderr: string): string[] {
  return outputLines(stderr).filter((line) => /\[DEP\d{4}\]|DeprecationWarning:/.test(line));
}

const nodeMajors = new Map<string, number>();

/** The major version of a Node binary (asked once per binary). */
function nodeMajor(node: string): number {
  let major = nodeMajors.get(node);
  if (major === undefined) {
    const version =
      node === process.execPath
        ? process.version
        : spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    major = Number(/^v(\d+)\./.exec(version)?.[1]);
    if (!Number.isInteger(major))
      throw new Error(`${node} --version did not answer a Node version (${version})`);
    nodeMajors.set(node, major);
  }
  return major;
}

/** The handler an agent picks for that Node: Node24 from 24 on (falling back as the agent does). */
function handlerFor(def: TaskDefinition, stage: Stage, node: string): { handler: string; target: string } {
  const handlers = def[stage] ?? {};
  const order = nodeMajor(node) >= 24 ? ['Node24', 'Node20_1'] : ['Node20_1'];
  for (const handler of order) {
    const target = handlers[handler]?.target;
    if (target) return { handler, target };
  }
  throw new Error(`${def.name}: task.json has no ${order.join(' or ')} ${stage} handler`);
}

const DEFAULT_TIMEOUT_MS = 60_000;
const runDirs = new Set<string>();
const processGroups = new Set<number>();

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is gone already
  }
}

process.on('exit', () => {
  processGroups.forEach(killGroup);
  runDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
});

/** Removes every run's temp dir (for an after hook). */
export function disposeTaskRuns(): void {
  runDirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true }));
  runDirs.clear();
}

interface Exited {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

function runProcess(
  node: string,
  entry: string,
  cwd: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<Exited> {
  return new Promise((resolve, reject) => {
    // A process group of its own, so a timeout or the end of the run also ends the task's children.
    const child = spawn(node, [entry], {
      cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const pid = child.pid;
    if (pid !== undefined) processGroups.add(pid);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      if (pid !== undefined) killGroup(pid);
    }, timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('exit', () => pid !== undefined && killGroup(pid));
    child.on('close', (exitCode) => {
      clearTimeout(timer);
      if (pid !== undefined) processGroups.delete(pid);
      const stdout = Buffer.concat(out).toString('utf8');
      resolve({ exitCode, stdout, stderr: Buffer.concat(err).toString('utf8'), timedOut });
    });
  });
}

function taskDirOf(task: TaskRef | undefined): string {
  if (!task) throw new Error('runTask needs `task` or `taskDir`');
  return 'shipped' in task ? shippedTaskDir(task.shipped) : testTaskDir(task.testOnly);
}

/** Runs a task the way the agent does; rejects on a timeout or when a secret shows in its output. */
export async function runTask(options: TaskRunOptions): Promise<TaskRun> {
  const taskDir = options.taskDir ?? taskDirOf(options.task);
  const def = readTaskDefinition(taskDir);
  const stage = options.stage ?? 'execution';
  const node = options.node ?? (process.env['NODE_FOR_TASKS'] || process.execPath);
  const { target } = handlerFor(def, stage, node);
  const secrets = collectSecrets(options);
  const shared = options.dirs;
  const tempDir = shared?.root ?? fs.mkdtempSync(path.join(os.tmpdir(), `rg-task-${def.name}-`));
  if (!shared) runDirs.add(tempDir);
  const dirs = shared ?? agentDirs(tempDir);
  for (const dir of Object.values(dirs) as string[]) fs.mkdirSync(dir, { recursive: true });

  const env: Record<string, string> = {
    PATH: process.env['PATH'] ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: dirs.home,
    ...agentEnvironment(def, options, dirs).env,
    ...options.env,
  };

  const cwd = options.cwd ?? dirs.sources;
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const exited = await runProcess(node, path.join(taskDir, target), cwd, env, timeoutMs);
  const printed = [...visibleOutput('stdout', exited.stdout), ...visibleOutput('stderr', exited.stderr)];
  if (exited.timedOut) {
    const tail = outputLines(redact(exited.stdout, secrets)).slice(-10).join('\n');
    const leaked = findLeaks(secrets, printed).length;
    throw new TaskTimeoutError(
      `${def.name} did not finish within ${timeoutMs} ms; its process group was killed.` +
        (leaked > 0 ? ` It also printed ${leaked} secret occurrence(s).` : '') +
        ` Last output (secrets redacted):\n${tail}`,
      exited.stdout,
      exited.stderr,
      tempDir,
    );
  }

  const parsed = parseTaskOutput(exited.stdout, exited.stderr, def.restrictions);
  const summaries: { title: string; path: string; content: string }[] = [];
  for (const { title, path: summary } of parsed.summarySections) {
    const file = path.resolve(cwd, summary);
    if (fs.existsSync(file)) summaries.push({ title, path: summary, content: fs.readFileSync(file, 'utf8') });
    else parsed.commandErrors.push(`summary '${title}': no file at ${summary}`);
  }
  for (const attachment of parsed.attachments) {
    if (attachment.type.toLowerCase() === SUMMARY_ATTACHMENT_TYPE.toLowerCase()) continue; // checked above
    if (!fs.existsSync(path.resolve(cwd, attachment.path)))
      parsed.commandErrors.push(`task.addattachment '${attachment.name}': no file at ${attachment.path}`);
  }
  const failed = exited.exitCode !== 0 || parsed.commandErrors.length > 0;
  const settled = parsed.result === 'Canceled' || parsed.result === 'Skipped';
  const run: TaskRun = {
    exitCode: exited.exitCode,
    stdout: exited.stdout,
    stderr: exited.stderr,
    ...(parsed.result !== undefined ? { result: parsed.result } : {}),
    ...(parsed.message !== undefined ? { message: parsed.message } : {}),
    agentResult: failed && !settled ? 'Failed' : (parsed.result ?? 'Succeeded'),
    variables: parsed.variables,
    secrets: parsed.secrets,
    issues: parsed.issues,
    summaries,
    artifacts: parsed.artifacts,
    attachments: parsed.attachments,
    groups: parsed.groups,
    debug: parsed.debug,
    commandErrors: parsed.commandErrors,
    commands: parsed.commands,
    formatLines: parsed.formatLines,
    node,
    tempDir,
    dirs,
    dispose: () => {
      if (shared) return; // the caller owns a shared work folder
      fs.rmSync(tempDir, { recursive: true, force: true });
      runDirs.delete(tempDir);
    },
  };

  const texts: ScannedText[] = [
    ...printed,
    ...summaries.flatMap((s) => [
      { where: `summary ${s.path}, across lines`, text: s.content, multiLineOnly: true },
      ...outputLines(s.content).map((text, i) => ({ where: `summary ${s.path} line ${i + 1}`, text })),
    ]),
  ];
  const leaks = findLeaks(secrets, texts);
  if (leaks.length > 0) throw new LeakError(leaks, run);
  if (parsed.restricted.length > 0) throw new RestrictionError(parsed.restricted, run);
  const deprecations = deprecationWarnings(exited.stderr);
  if (deprecations.length > 0) throw new DeprecationWarningError(deprecations, run);
  return run;
}
