import type { HistoryEntry } from '../common/helm/releaseInfo';

export interface DeploySummary {
  readonly action: string;
  readonly release: string;
  readonly namespace: string;
  readonly cluster: string;
  readonly helmVersion: string;
  readonly changeCause?: string;
  readonly annotated: readonly string[];
  readonly history: readonly HistoryEntry[];
}

/** Markdown table cells: no pipes or line breaks from release data. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The build summary: what was done, and the release's `helm history`. */
export function renderSummary(s: DeploySummary): string {
  const lines = [
    `### Helm release \`${cell(s.release)}\` (${s.action})`,
    '',
    `Namespace \`${cell(s.namespace)}\` on ${cell(s.cluster)}, ${s.helmVersion}.`,
    '',
  ];
  if (s.changeCause) lines.push(`**Change cause:** ${cell(s.changeCause)}`, '');
  if (s.annotated.length > 0)
    lines.push(`Annotated: ${s.annotated.map((a) => `\`${cell(a)}\``).join(', ')}`, '');
  if (s.history.length === 0) {
    lines.push('The release has no history (it was uninstalled).', '');
    return lines.join('\n');
  }
  lines.push(
    '| Revision | Updated | Status | Chart | App version | Description |',
    '| ---: | --- | --- | --- | --- | --- |',
  );
  for (const h of [...s.history].reverse()) {
    lines.push(
      `| ${h.revision} | ${cell(h.updated)} | ${cell(h.status)} | ${cell(h.chart)} | ${cell(h.appVersion)} | ${cell(h.description)} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
