// Data is never a command. The agent reads `##vso[area.action ...]` ANYWHERE in a line of the task's
// output (agent Command.cs: `message.IndexOf("##vso[")`), and the log viewer formats lines starting
// with `##[group]`, `##[error]`... Text that came from files, charts, commits, registries or
// clusters passes through here before it is printed:
//
// - it is cut into lines where the agent cuts them (CR, LF, CRLF), so a line break inside one
//   message cannot start a line of its own with a command;
// - each `##vso[` and `##[` becomes `##vso [` and `## [` (a visible space before the bracket). The
//   agent no longer finds the prefix, and a reader still sees what the data said.
//
// The match skips characters that a culture-sensitive IndexOf (the agent's, under ICU or NLS) may
// ignore: control and format characters, combining and enclosing marks, zero-width and invisible
// code points, and the hyphen and apostrophe that NLS word sort ignores. So `#\u200B#vso[` or `#-#VSO[` is broken as well; the
// characters skipped inside a match are dropped from it.

/** Characters an ICU or NLS culture comparison may treat as absent. */
/* eslint-disable no-misleading-character-class -- these characters are what it finds */
const IGNORABLE =
  /[\p{Cc}\p{Cf}\p{Mn}\p{Me}\u00ad\u034f\u0640\u115f\u1160\u17b4\u17b5\u180a-\u180f\u3164\uffa0\ufff0-\ufff8\u{e0000}-\u{e0fff}'-]/u;

const PREFIX = new RegExp(
  `#(?:${IGNORABLE.source})*#(?:(?:${IGNORABLE.source})*v(?:${IGNORABLE.source})*s(?:${IGNORABLE.source})*o)?(?:${IGNORABLE.source})*\\[`,
  'giu',
);
/* eslint-enable no-misleading-character-class */

/** One line (no CR or LF) in which no logging command or format prefix can be found. */
function neutraliseLine(line: string): string {
  return line.replace(PREFIX, (match) => (/v/i.test(match) ? '##vso [' : '## ['));
}

/** The lines the agent would see for `message`, each safe to print as data. */
export function printableLines(message: string): string[] {
  return message.split(/\r\n|\r|\n/).map(neutraliseLine);
}

/** `message` on one line (a group title, a task result), line breaks shown as ` | `. */
export function printableLine(message: string): string {
  return printableLines(message.replace(/(?:\r\n|\r|\n)+$/, '')).join(' | ');
}

/** `message` with every line neutralised, line breaks kept (task-lib escapes them inside a command). */
export function printableText(message: string): string {
  return printableLines(message).join('\n');
}
