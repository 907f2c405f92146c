// Hostile data for injection tests: logging-command payloads an attacker can put in file names,
// chart fields, commit subjects, Kubernetes events and error pages, and the check that a task run
// emitted only its own commands.
import assert from 'node:assert/strict';
import type { LoggingCommand } from './logCommands';
import { outputLines, parseLoggingCommand } from './logCommands';
import type { TaskRun } from './taskRunner';

/** The variable every payload tries to set; its name must never reach a command. */
export const PWNED = 'RG_PWNED';

/**
 * Payloads, each a way to smuggle a command into a line: plain, other case, after a line break,
 * behind characters a culture-sensitive IndexOf (the agent's) may ignore, and format lines.
 */
export const PAYLOADS: readonly string[] = [
  `##vso[task.setvariable variable=${PWNED}]1`,
  `##VSO[task.setvariable variable=${PWNED};isOutput=true]1`,
  `##vso[task.prependpath]/tmp/${PWNED}`,
  `##vso[task.complete result=Succeeded;]${PWNED}`,
  `##vso[artifact.upload artifactname=${PWNED}]/etc/passwd`,
  `##vso[task.uploadfile]/etc/${PWNED}`,
  `text\n##vso[task.setvariable variable=${PWNED}]lf`,
  `text\r##vso[task.setvariable variable=${PWNED}]cr`,
  `text\r\n##[error]${PWNED} crlf`,
  `##[group]${PWNED}`,
  `##[section]${PWNED}`,
  `#\u200b#vso[task.setvariable variable=${PWNED}]zwsp`,
  `##\u00advso[task.setvariable variable=${PWNED}]shy`,
  `##vso\u2060[task.setvariable variable=${PWNED}]wj`,
  `#-#vso[task.setvariable variable=${PWNED}]hyphen`,
  `#\u0001#vso[task.setvariable variable=${PWNED}]ctl`,
  `#\ufeff#[error]${PWNED} bom`,
];

/** A payload usable in a file or folder name (no slash, NUL, CR or LF). */
export const FILE_NAME_PAYLOADS: readonly string[] = [
  `##vso[task.setvariable variable=${PWNED}]1`,
  `##vso[task.prependpath]${PWNED}`,
  `x#\u200b#vso[task.complete result=Succeeded;]${PWNED}`,
];

// Characters an ICU or NLS comparison may skip: every control and format character, zero-width
// and invisible code points, hyphen and apostrophe. Wider than the product's list on purpose.
const SKIPPABLE =
  // eslint-disable-next-line no-misleading-character-class -- these characters are what it finds
  /[\p{Cc}\p{Cf}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0'\u2010\u2011-]/gu;

/** Commands the task's own code may send; anything else came from data. */
const OWN_COMMANDS = new Set([
  'task.setvariable',
  'task.setsecret',
  'task.issue',
  'task.logissue',
  'task.debug',
  'task.complete',
  'task.uploadsummary',
  'task.addattachment',
  'artifact.upload',
]);

export interface OwnCommandRules {
  /** Variables the task may set (its outputs, and what a test sets up). */
  variables: readonly string[];
  /** Artifact names it may upload. */
  artifacts?: readonly string[];
}

/**
 * Every line of the run's output, read as an agent whose IndexOf skips ignorable characters: a
 * command may only start a line and must be one the task's code sends; a format line may only be
 * the task's own group markers; one task.complete at most; the payload's variable never set.
 */
export function assertOnlyOwnCommands(run: TaskRun, rules: OwnCommandRules): LoggingCommand[] {
  const problems: string[] = [];
  const commands: LoggingCommand[] = [];
  const lines = [...outputLines(run.stdout), ...outputLines(run.stderr)];
  for (const line of lines) {
    const loose = line.replace(SKIPPABLE, '').toLowerCase();
    const at = loose.indexOf('##vso[');
    if (at >= 0) {
      const cmd = line.startsWith('##vso[') && at === 0 ? parseLoggingCommand(line) : undefined;
      if (!cmd) problems.push(`data formed a command: ${JSON.stringify(line)}`);
      else commands.push(cmd);
    }
    if (loose.trimStart().startsWith('##[') && !/^##\[(group|endgroup|debug)\]/.test(line)) {
      problems.push(`data formed a format line: ${JSON.stringify(line)}`);
    }
  }
  const allowedVariables = new Set(rules.variables.map((v) => v.toLowerCase()));
  for (const cmd of commands) {
    if (!OWN_COMMANDS.has(cmd.name)) problems.push(`unexpected command ${cmd.name}: ${cmd.data}`);
    const variable = cmd.properties['variable'];
    if (cmd.name === 'task.setvariable' && !allowedVariables.has((variable ?? '').toLowerCase())) {
      problems.push(`unexpected variable ${variable ?? ''}`);
    }
    if (cmd.name === 'task.addattachment' && cmd.properties['type'] !== 'Distributedtask.Core.Summary') {
      problems.push(`unexpected attachment type ${cmd.properties['type'] ?? ''}`);
    }
    const artifact = cmd.properties['artifactname'];
    if (cmd.name === 'artifact.upload' && !(rules.artifacts ?? []).includes(artifact ?? '')) {
      problems.push(`unexpected artifact ${artifact ?? ''}`);
    }
    if (Object.values(cmd.properties).some((v) => v.includes(PWNED))) {
      problems.push(`payload in the properties of ${cmd.name}`);
    }
  }
  const completes = commands.filter((c) => c.name === 'task.complete');
  if (completes.length > 1)
    problems.push(`${completes.length} task.complete commands, the task sends one at most`);
  if (Object.keys(run.variables).some((v) => v.toUpperCase() === PWNED)) problems.push(`${PWNED} was set`);
  const groups = run.groups.length;
  const ends = lines.filter((l) => l.startsWith('##[endgroup]')).length;
  if (groups !== ends) problems.push(`${groups} groups opened, ${ends} closed`);
  assert.deepEqual(problems, [], `output:\n${run.stdout}\n${run.stderr}`);
  return commands;
}

/** True when `run` printed the payload's marker somewhere: proof the data reached the log. */
export function printedMarker(run: TaskRun): boolean {
  return `${run.stdout}\n${run.stderr}`.includes(PWNED);
}
