import * as tl from 'azure-pipelines-task-lib/task';
import type { Logger } from '../log';

/** Logger that speaks the agent's logging commands. */
export const agentLogger: Logger = {
  info: (message) => console.log(message),
  debug: (message) => tl.debug(message),
  warn: (message) => tl.warning(message),
  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    console.log(`##[group]${title}`);
    try {
      return await body();
    } finally {
      console.log('##[endgroup]');
    }
  },
};
