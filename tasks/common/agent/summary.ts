import fs from 'node:fs';
import path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';

/** Writes markdown into the agent's temp directory and attaches it to the build's summary tab. */
export function uploadSummary(fileStem: string, markdown: string): void {
  const dir = tl.getVariable('Agent.TempDirectory') ?? process.cwd();
  const file = path.join(dir, `${fileStem}-${Date.now()}.md`);
  fs.writeFileSync(file, markdown, 'utf8');
  tl.uploadSummary(file);
}

/** Sets an output variable (readable by later steps and, with a step name, later jobs). */
export function setOutput(name: string, value: string | number): void {
  tl.setVariable(name, String(value), false, true);
}
