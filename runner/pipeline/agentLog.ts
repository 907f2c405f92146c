// A task's output as the agent's log shows it: `##[group]` folds, issues marked as warnings and
// errors, debug lines only with System.Debug, the commands the agent consumes left out, and
// every secret the job knows replaced by `***`.
import { redact, type KnownSecret } from '../leakCheck';
import { outputLines, parseLoggingCommand } from '../logCommands';

export type LogKind =
  'text' | 'group' | 'endgroup' | 'warning' | 'error' | 'debug' | 'section' | 'command' | 'stderr';

export interface LogLine {
  readonly kind: LogKind;
  readonly text: string;
}

const FORMATS: Record<string, LogKind> = {
  group: 'group',
  endgroup: 'endgroup',
  warning: 'warning',
  error: 'error',
  debug: 'debug',
  section: 'section',
  command: 'command',
};

function lineOf(line: string): LogLine | undefined {
  const format = /^##\[(\w+)\](.*)$/.exec(line);
  const kind = format?.[1] ? FORMATS[format[1].toLowerCase()] : undefined;
  if (format && kind) return { kind, text: format[2] ?? '' };
  const cmd = parseLoggingCommand(line);
  if (!cmd) return { kind: 'text', text: line };
  if (cmd.name === 'task.issue' || cmd.name === 'task.logissue') {
    const type = (cmd.properties['type'] ?? '').toLowerCase();
    return { kind: type === 'warning' ? 'warning' : 'error', text: cmd.data };
  }
  if (cmd.name === 'task.debug') return { kind: 'debug', text: cmd.data };
  return undefined; // setvariable, setsecret, complete, uploadsummary...: consumed by the agent
}

/** The log lines of one step, masked; debug lines kept only when `debug`. */
export function agentLog(
  stdout: string,
  stderr: string,
  secrets: readonly KnownSecret[],
  debug: boolean,
): LogLine[] {
  const lines: LogLine[] = [];
  for (const raw of outputLines(stdout)) {
    const line = lineOf(raw);
    if (!line || (line.kind === 'debug' && !debug)) continue;
    lines.push({ kind: line.kind, text: redact(line.text, secrets) });
  }
  for (const raw of outputLines(stderr)) lines.push({ kind: 'stderr', text: redact(raw, secrets) });
  while (lines.length > 0 && lines[lines.length - 1]?.kind === 'text' && lines[lines.length - 1]?.text === '')
    lines.pop();
  return lines;
}
