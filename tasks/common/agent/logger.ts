import * as tl from 'azure-pipelines-task-lib/task';
import type { Logger } from '../log';
import { printableLine, printableLines, printableText } from './neutralise';

/**
 * Logger that speaks the agent's logging commands. The only place that writes to stdout: every
 * message, title and line of tool output is data and is neutralised first (./neutralise.ts), so
 * only the task's own code emits logging commands.
 */
/** Groups open now: the log viewer does not nest them, so a group inside one is a plain title line. */
let openGroups = 0;

export const agentLogger: Logger = {
  info: (message) => printableLines(message).forEach((line) => console.log(line)),
  debug: (message) => tl.debug(printableText(message)),
  warn: (message) => tl.warning(printableText(message)),
  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    if (openGroups > 0) {
      console.log(printableLine(title));
      return body();
    }
    openGroups++;
    console.log(`##[group]${printableLine(title)}`);
    try {
      return await body();
    } finally {
      openGroups--;
      console.log('##[endgroup]');
    }
  },
};
