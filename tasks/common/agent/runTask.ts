import * as tl from 'azure-pipelines-task-lib/task';
import { UserError, errorMessage } from '../errors';
import { printableText } from './neutralise';

/**
 * The one try/catch of every task: a user error ends the task with its message, anything else
 * with its message and the stack in the debug log. The promise is handled here, never left floating.
 */
export function runTask(main: () => Promise<void>): void {
  main().then(
    () => undefined,
    (err: unknown) => {
      if (!(err instanceof UserError) && err instanceof Error && err.stack)
        tl.debug(printableText(err.stack));
      tl.setResult(tl.TaskResult.Failed, printableText(errorMessage(err)));
    },
  );
}
