import * as tl from 'azure-pipelines-task-lib/task';
import { UserError, errorMessage } from '../errors';
import { printableText } from './neutralise';
import { quietKnownDeprecations } from './nodeWarnings';
import { uploadFailureSummary } from './summary';

/**
 * The one try/catch of every task: a user error ends the task with its message, anything else
 * with its message and the stack in the debug log. A failed run still gets a build summary
 * section titled `title`, saying what failed and what was done before (unless the task uploaded
 * its own). The promise is handled here, never left floating.
 */
export function runTask(title: string, main: () => Promise<void>): void {
  quietKnownDeprecations();
  main().then(
    () => undefined,
    (err: unknown) => {
      if (!(err instanceof UserError) && err instanceof Error && err.stack)
        tl.debug(printableText(err.stack));
      const message = printableText(errorMessage(err));
      try {
        uploadFailureSummary(title, message);
      } catch (summaryErr) {
        tl.warning(printableText(`The build summary could not be written: ${errorMessage(summaryErr)}`));
      }
      tl.setResult(tl.TaskResult.Failed, message);
    },
  );
}

/** How a task that ends by itself (not by failing) tells the agent how it went. */
export type TaskOutcome = 'Succeeded' | 'SucceededWithIssues' | 'Skipped';

/** Ends the step with `outcome` and the message the agent shows for it. */
export function setTaskOutcome(outcome: TaskOutcome, message: string): void {
  tl.setResult(tl.TaskResult[outcome], message);
}
