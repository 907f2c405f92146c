import fs from 'node:fs';
import path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { maskSecrets } from './secrets';
import { markdownCell } from '../markdown';

/** The attachment type the agent shows as a section of the build summary (Extensions tab). */
const SUMMARY_ATTACHMENT_TYPE = 'Distributedtask.Core.Summary';

/**
 * Characters an agent refuses in an attachment name: Path.GetInvalidFileNameChars on Windows, the
 * strictest agent (TaskCommandExtension's addattachment check).
 */
// eslint-disable-next-line no-control-regex -- control characters are among those refused
const INVALID_NAME_CHARS = /[\u0000-\u001f"<>|:*?\\/]+/g;

/** What this run has done so far, for a summary when it fails (see runTask). */
const progress = { summaryUploaded: false, done: [] as string[] };

/**
 * Writes markdown into the agent's temp directory and attaches it to the build summary as a
 * section titled `title` (task.uploadsummary would title it with the temp file's name). The agent
 * masks secrets in the log, not in attachments: every known secret is masked here, whatever the
 * summary quotes (an error message, Helm's output, a value).
 */
export function uploadSummary(title: string, markdown: string): void {
  const name = title.replace(INVALID_NAME_CHARS, ' ').replace(/\s+/g, ' ').trim() || 'Summary';
  const dir = tl.getVariable('Agent.TempDirectory') ?? process.cwd();
  const stem = name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const file = path.join(dir, `${stem}-${process.pid}-${Date.now()}.md`);
  fs.writeFileSync(file, maskSecrets(markdown), 'utf8');
  tl.addAttachment(SUMMARY_ATTACHMENT_TYPE, name, file);
  progress.summaryUploaded = true;
}

/** Records a step that is done (an image promoted, a chart packaged) for the summary of a failed run. */
export function recordDone(line: string): void {
  progress.done.push(line);
}

/**
 * The summary of a failed run, unless the task uploaded one already: what failed and what was
 * done before the failure. Called by runTask with the failure's (neutralised) message.
 */
export function uploadFailureSummary(title: string, message: string): void {
  if (progress.summaryUploaded) return;
  const lines = [`### ${markdownCell(title)}: failed`, '', markdownCell(message), ''];
  if (progress.done.length > 0) {
    lines.push('Done before the failure:', '', ...progress.done.map((d) => `- ${markdownCell(d)}`), '');
  } else lines.push('Nothing was recorded as done before the failure.', '');
  uploadSummary(`${title} (failed)`, lines.join('\n'));
}

/** Sets an output variable (readable by later steps and, with a step name, later jobs). */
export function setOutput(name: string, value: string | number): void {
  tl.setVariable(name, String(value), false, true);
}

/** Publishes `file` as the pipeline artifact `name` (artifact.upload, container folder `name`). */
export function publishArtifact(name: string, file: string): void {
  tl.uploadArtifact(name, file, name);
}
