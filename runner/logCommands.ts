// Reads a task's output the way the agent does (agent Command.cs, TaskCommandExtension.cs):
// `##vso[area.event k=v;...]data` anywhere in a line, properties and data unescaped with the
// agent's mappings (%3B %0D %0A %5D, then %AZP25 -> %, DECODE_PERCENTS on by default), plus the
// `##[group]`, `##[endgroup]` and `##[debug]` line prefixes.

export type TaskResultName = 'Succeeded' | 'SucceededWithIssues' | 'Failed' | 'Canceled' | 'Skipped';

/** In the agent's TaskResult enum order (Abandoned left out: no task sends it). */
const RESULT_ORDER: readonly TaskResultName[] = [
  'Succeeded',
  'SucceededWithIssues',
  'Failed',
  'Canceled',
  'Skipped',
];

export interface LoggingCommand {
  /** `area.event`, lower case (the agent matches both case-insensitively). */
  name: string;
  /** Property names in lower case, values unescaped. */
  properties: Record<string, string>;
  /** Unescaped data (the text after `]`). */
  data: string;
}

export interface OutputVariable {
  value: string;
  isSecret: boolean;
  isOutput: boolean;
}

export interface TaskIssue {
  type: 'error' | 'warning';
  message: string;
  sourcepath?: string;
  linenumber?: number;
  columnnumber?: number;
  code?: string;
}

export interface UploadedArtifact {
  artifactName?: string;
  containerFolder?: string;
  path: string;
}

/** A `task.addattachment` the agent accepted (type and name checked, as the agent checks them). */
export interface TaskAttachment {
  type: string;
  name: string;
  path: string;
}

/** The attachment type the agent shows as a section of the build summary (what uploadsummary sends). */
export const SUMMARY_ATTACHMENT_TYPE = 'Distributedtask.Core.Summary';

/** A summary section: its title (the attachment name; uploadsummary: the file name) and file. */
export interface SummarySection {
  title: string;
  path: string;
}

/**
 * Path.GetInvalidFileNameChars on Windows, the strictest agent: the agent rejects an attachment
 * whose type or name holds one (TaskCommandExtension ProcessTaskAddAttachmentCommand).
 */
// eslint-disable-next-line no-control-regex -- control characters are among those refused
const INVALID_ATTACHMENT_CHARS = /[\u0000-\u001f"<>|:*?\\/]/;

export interface ParsedTaskOutput {
  /** The agent's merge of every task.complete result; undefined when none was sent. */
  result?: TaskResultName;
  /** Message of the last task.complete carrying the merged result. */
  message?: string;
  variables: Record<string, OutputVariable>;
  /** task.setsecret values. */
  secrets: string[];
  issues: TaskIssue[];
  /** task.uploadsummary paths and Distributedtask.Core.Summary attachments, in order. */
  summarySections: SummarySection[];
  /** Every task.addattachment, summaries included. */
  attachments: TaskAttachment[];
  artifacts: UploadedArtifact[];
  groups: string[];
  /** task.debug messages and `##[debug]` lines. */
  debug: string[];
  /** Commands the agent would reject; each fails the step on a real agent. */
  commandErrors: string[];
  /** Every logging command the agent would have seen, in order (stdout, then stderr). */
  commands: LoggingCommand[];
  /** Lines the log viewer formats (`##[group]`, `##[error]`...). */
  formatLines: string[];
  /**
   * `task.setvariable` and `task.prependpath` refused by task.json `restrictions.settableVariables`
   * (the agent warns and ignores them, TaskRestrictionsChecker.CheckSettableVariable).
   */
  restricted: string[];
}

/** task.json `restrictions`, as far as the agent enforces them on variables. */
export interface TaskRestrictions {
  settableVariables?: { allowed?: string[] };
}

/** The agent's Minimatcher.Check(name, pattern, IgnoreCase) for variable names: `*` and `?`. */
function variableAllowed(restrictions: TaskRestrictions | undefined, name: string): boolean {
  const allowed = restrictions?.settableVariables?.allowed;
  if (allowed === undefined) return true;
  return allowed.some((pattern) => {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    return new RegExp(`^${source}$`, 'i').test(name);
  });
}

const PREFIX = '##vso[';
const ESCAPES: readonly [string, string][] = [
  ['%3B', ';'],
  ['%0D', '\r'],
  ['%0A', '\n'],
  ['%5D', ']'],
];

/** The agent's Command.Unescape with percent decoding on (knob DECODE_PERCENTS, default true). */
export function unescapeCommandValue(escaped: string): string {
  let value = escaped;
  for (const [from, to] of ESCAPES) value = value.split(from).join(to);
  return value.split('%AZP25').join('%');
}

/** Lines as .NET's StreamReader.ReadLine splits them (\r\n, \r or \n); no trailing empty line. */
export function outputLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The logging command in a line, or undefined when the agent would not see one. */
export function parseLoggingCommand(line: string): LoggingCommand | undefined {
  const start = line.indexOf(PREFIX);
  if (start < 0) return undefined;
  const end = line.indexOf(']', start);
  if (end < 0) return undefined;
  const info = line.substring(start + PREFIX.length, end);
  const space = info.indexOf(' ');
  const name = (space < 0 ? info : info.substring(0, space)).toLowerCase();
  if (name.split('.').filter((p) => p !== '').length !== 2) return undefined;
  const properties: Record<string, string> = {};
  if (space > 0) {
    for (const pair of info.substring(space + 1).split(';')) {
      const eq = pair.indexOf('=');
      if (eq <= 0 || eq === pair.length - 1) continue; // .NET Split(RemoveEmptyEntries) drops `k=`
      properties[pair.substring(0, eq).toLowerCase()] = unescapeCommandValue(pair.substring(eq + 1));
    }
  }
  return { name, properties, data: unescapeCommandValue(line.substring(end + 1)) };
}

/** The agent's StringUtil.ConvertToBoolean. */
export function isAgentTrue(value: string | undefined): boolean {
  return ['true', '1', '$true'].includes((value ?? '').trim().toLowerCase());
}

function optionalNumber(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

function applyCommand(
  out: ParsedTaskOutput,
  cmd: LoggingCommand,
  completions: [number, string][],
  restrictions: TaskRestrictions | undefined,
): void {
  const p = cmd.properties;
  switch (cmd.name) {
    case 'task.prependpath':
      if (!variableAllowed(restrictions, 'PATH')) out.restricted.push(`task.prependpath ${cmd.data}`);
      return;
    case 'task.setvariable': {
      const name = p['variable'];
      if (!name) return void out.commandErrors.push('task.setvariable without a variable name');
      if (!variableAllowed(restrictions, name)) return void out.restricted.push(`task.setvariable ${name}`);
      const existing = Object.keys(out.variables).find((k) => k.toLowerCase() === name.toLowerCase());
      const wasSecret = existing !== undefined && out.variables[existing]?.isSecret === true;
      if (existing !== undefined) delete out.variables[existing];
      out.variables[name] = {
        value: cmd.data,
        isSecret: wasSecret || isAgentTrue(p['issecret']),
        isOutput: isAgentTrue(p['isoutput']),
      };
      return;
    }
    case 'task.setsecret':
      if (cmd.data === '') return void out.commandErrors.push('task.setsecret without a value');
      out.secrets.push(cmd.data);
      return;
    case 'task.issue':
    case 'task.logissue': {
      const type = (p['type'] ?? '').toLowerCase();
      if (type !== 'error' && type !== 'warning') {
        return void out.commandErrors.push(`${cmd.name} with type '${p['type'] ?? ''}'`);
      }
      const issue: TaskIssue = { type, message: cmd.data };
      if (p['sourcepath'] !== undefined) issue.sourcepath = p['sourcepath'];
      const line = optionalNumber(p['linenumber']);
      if (line !== undefined) issue.linenumber = line;
      const column = optionalNumber(p['columnnumber']);
      if (column !== undefined) issue.columnnumber = column;
      if (p['code'] !== undefined) issue.code = p['code'];
      out.issues.push(issue);
      return;
    }
    case 'task.uploadsummary':
      if (cmd.data === '') return void out.commandErrors.push('task.uploadsummary without a path');
      out.summarySections.push({ title: cmd.data.split(/[\\/]/).pop() ?? cmd.data, path: cmd.data });
      return;
    case 'task.addattachment': {
      const type = p['type'] ?? '';
      const name = p['name'] ?? '';
      if (type === '' || name === '' || cmd.data === '') {
        return void out.commandErrors.push('task.addattachment without a type, a name or a path');
      }
      if (INVALID_ATTACHMENT_CHARS.test(type) || INVALID_ATTACHMENT_CHARS.test(name)) {
        return void out.commandErrors.push(
          `task.addattachment: type '${type}' or name '${name}' holds a character a Windows agent refuses`,
        );
      }
      out.attachments.push({ type, name, path: cmd.data });
      if (type.toLowerCase() === SUMMARY_ATTACHMENT_TYPE.toLowerCase())
        out.summarySections.push({ title: name, path: cmd.data });
      return;
    }
    case 'artifact.upload': {
      const artifact: UploadedArtifact = { path: cmd.data };
      if (p['artifactname'] !== undefined) artifact.artifactName = p['artifactname'];
      if (p['containerfolder'] !== undefined) artifact.containerFolder = p['containerfolder'];
      out.artifacts.push(artifact);
      return;
    }
    case 'task.debug':
      out.debug.push(cmd.data);
      return;
    case 'task.complete': {
      const index = RESULT_ORDER.indexOf((p['result'] ?? '') as TaskResultName);
      if (index < 0) return void out.commandErrors.push(`task.complete with result '${p['result'] ?? ''}'`);
      completions.push([index, cmd.data]);
      return;
    }
    default:
      return; // other commands (task.progress, telemetry...) carry nothing the tests read
  }
}

/** The agent's TaskResultUtil.MergeTaskResults over every task.complete, in order. */
function mergeResults(completions: [number, string][], out: ParsedTaskOutput): void {
  let merged: number | undefined;
  for (const [index] of completions) {
    if (merged === undefined || (merged <= 2 && index >= merged)) merged = index;
  }
  if (merged === undefined) return;
  out.result = RESULT_ORDER[merged];
  const last = completions.filter(([index]) => index === merged).pop();
  if (last && last[1] !== '') out.message = last[1];
}

/** Everything the agent would record from a task's output. stdout is read before stderr. */
export function parseTaskOutput(
  stdout: string,
  stderr: string,
  restrictions?: TaskRestrictions,
): ParsedTaskOutput {
  const out: ParsedTaskOutput = {
    variables: {},
    secrets: [],
    issues: [],
    summarySections: [],
    attachments: [],
    artifacts: [],
    groups: [],
    debug: [],
    commandErrors: [],
    commands: [],
    formatLines: [],
    restricted: [],
  };
  const completions: [number, string][] = [];
  for (const line of [...outputLines(stdout), ...outputLines(stderr)]) {
    if (line.startsWith('##[group]')) out.groups.push(line.substring('##[group]'.length));
    else if (line.startsWith('##[debug]')) out.debug.push(line.substring('##[debug]'.length));
    if (line.startsWith('##[')) out.formatLines.push(line);
    const cmd = parseLoggingCommand(line);
    if (cmd) {
      out.commands.push(cmd);
      applyCommand(out, cmd, completions, restrictions);
    }
  }
  mergeResults(completions, out);
  return out;
}
