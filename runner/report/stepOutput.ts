// What the command line and the demo print for each step, and the HTML page of a run.
import type { StepResult } from '../pipeline/pipelineRun';
import { renderHtmlReport, type ReportStage, type ReportTable } from './htmlReport';
import { logToText, markdownToText, textTable } from './terminal';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function printStep(
  step: StepResult,
  index: number,
  total: number,
  write: (line?: string) => void,
): void {
  write();
  write(`── Step ${index}/${total}: ${step.title} (${step.task}${step.name ? `, name: ${step.name}` : ''})`);
  logToText(step.log).forEach((l) => write(`   ${l}`));
  const message = step.message ? `: ${step.message.replace(/\r?\n/g, '\n     ')}` : '';
  write(`   Result: ${step.result}${message} (${seconds(step.durationMs)})`);
  if (step.variables.length > 0) {
    write('   Variables set:');
    step.variables.forEach((v) => write(`     ${v.name} = ${v.shown}${v.isSecret ? ' (secret)' : ''}`));
  }
  for (const summary of step.summaries) {
    write('   Summary:');
    markdownToText(summary).forEach((l) => write(`     ${l}`));
  }
}

export function resultsTable(results: readonly StepResult[]): string[] {
  return textTable(
    ['Step', 'Task', 'Result', 'Time'],
    results.map((r) => [r.title, r.task, r.result, seconds(r.durationMs)]),
    [false, false, false, true],
  );
}

export function htmlReportFor(
  title: string,
  started: Date,
  stages: readonly ReportStage[],
  extra: { notes?: readonly string[]; tables?: readonly ReportTable[] } = {},
): string {
  return renderHtmlReport({ title, subtitle: `Started ${started.toISOString()}`, stages, ...extra });
}
