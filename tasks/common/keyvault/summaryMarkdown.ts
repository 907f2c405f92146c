import path from 'node:path';
import type { InjectionPlan } from './injectionPlan';
import type { ThrottleStats } from './throttling';
import { markdownCode } from '../markdown';

export interface SummaryContext {
  readonly vault: string;
  readonly stage: 'pre-job' | 'job';
  readonly workingDirectory: string;
  readonly throttling: ThrottleStats;
  readonly seconds: number;
}

/** The build summary: secret names, versions, variable names and files; never a value. */
export function summaryMarkdown(plan: InjectionPlan, context: SummaryContext): string {
  const placeholders = new Map<string, number>();
  for (const file of plan.files) {
    for (const r of file.replaced) {
      const name = (r.name.split('/')[0] ?? r.name).toLowerCase();
      placeholders.set(name, (placeholders.get(name) ?? 0) + 1);
    }
  }
  const variablesOf = (name: string, version: string) =>
    plan.variables
      .filter((v) => v.secret.toLowerCase() === name.toLowerCase() && v.resolvedVersion === version)
      .map((v) => markdownCode(v.variable))
      .join(', ') || '-';
  const changed = plan.files.filter((f) => f.changed);
  const lines = [
    '## Key Vault secrets',
    '',
    `Vault ${markdownCode(context.vault)} (${context.stage} stage): ${plan.used.length} secret(s), ` +
      `${plan.variables.length} variable(s), ${changed.length} file(s) changed, in ${context.seconds.toFixed(1)} s.`,
    '',
  ];
  if (plan.used.length > 0) {
    lines.push('| Secret | Version | Variables | Placeholders |', '| --- | --- | --- | --- |');
    for (const s of [...plan.used].sort((a, b) => a.name.localeCompare(b.name))) {
      lines.push(
        `| ${markdownCode(s.name)} | ${markdownCode(s.version)} | ${variablesOf(s.name, s.version)} | ${placeholders.get(s.name.toLowerCase()) ?? 0} |`,
      );
    }
    lines.push('');
  }
  if (plan.files.length > 0) {
    lines.push('| File | Encoding | Replaced | Unresolved |', '| --- | --- | --- | --- |');
    for (const f of plan.files) {
      const shown = path.relative(context.workingDirectory, f.path) || f.path;
      lines.push(
        `| ${markdownCode(shown)} | ${f.encoding} | ${f.replaced.length} | ${f.unresolved.length} |`,
      );
    }
    lines.push('');
  }
  const skipped = [
    ...plan.fetch.inactive.map((s) => `${markdownCode(s.name)} (${s.reason})`),
    ...plan.fetch.missing.map(
      (s) => `${markdownCode(s.version ? `${s.name}/${s.version}` : s.name)} (not in the vault)`,
    ),
  ];
  if (skipped.length > 0) lines.push(`Skipped: ${[...new Set(skipped)].join(', ')}.`, '');
  const t = context.throttling;
  lines.push(
    `Vault requests: ${t.requests}; pages listed: ${plan.fetch.pagesListed}; values fetched: ${plan.fetch.valuesRequested}; ` +
      `throttled answers (429/503) waited out: ${t.throttled}${t.outerRetries > 0 ? `, retried after the SDK gave up: ${t.outerRetries}` : ''}.`,
  );
  return `${lines.join('\n')}\n`;
}
