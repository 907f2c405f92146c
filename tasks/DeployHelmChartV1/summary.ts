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
  /** Set when the action failed: which revision failed and where the release stands. */
  readonly failure?: string;
}

/**
 * What a failed action left, from the release's history read after the failure: the revision that
 * failed (the newest `failed` one) and, when Helm rolled back (`atomic`) or an older revision is
 * still deployed, where the release stands.
 */
export function describeFailure(history: readonly HistoryEntry[]): { revision: string; text: string } {
  const failed = [...history].reverse().find((h) => h.status === 'failed');
  const latest = history[history.length - 1];
  if (!failed) {
    return {
      revision: latest ? String(latest.revision) : '',
      text: latest
        ? `No revision was recorded as failed; the newest is revision ${latest.revision} (${latest.status}).`
        : 'The release has no revision: nothing was installed.',
    };
  }
  const now =
    latest && latest.revision !== failed.revision
      ? ` The release is now at revision ${latest.revision} (${latest.status}): ${latest.description}.`
      : '';
  return { revision: String(failed.revision), text: `Revision ${failed.revision} failed.${now}` };
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
  if (s.failure) lines.push(`**Failed:** ${cell(s.failure)}`, '');
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
