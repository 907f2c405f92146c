import type { ObjectChange, HistoryEntry } from '../common/helm';
import { markdownCell, markdownCode } from '../common/markdown';
import { signaturesMarkdown } from '../common/signatures';
import type { ImageCheck } from './imageCheck';

/** What a failed upgrade left behind, for the summary. */
export interface FailureReport {
  readonly error: string;
  readonly revision: number | undefined;
  readonly rolledBackTo: number | undefined;
  readonly status: readonly string[];
  readonly events: readonly string[];
}

export interface DeploySummary {
  readonly action: string;
  readonly release: string;
  readonly namespace: string;
  readonly cluster: string;
  readonly helmVersion: string;
  readonly changeCause?: string;
  readonly annotated: readonly string[];
  readonly history: readonly HistoryEntry[];
  /** For the diff action: what an upgrade would change. */
  readonly changes?: readonly ObjectChange[];
  readonly failure?: FailureReport;
  /** `verifyImages`: the images checked before the upgrade. */
  readonly images?: ImageCheck;
}

/** A fenced block that data cannot close: the fence is longer than any backtick run in it. */
function fenced(lines: readonly string[]): string[] {
  const longest = Math.max(
    2,
    ...lines.map((l) => Math.max(0, ...(l.match(/`+/g) ?? []).map((r) => r.length))),
  );
  const fence = '`'.repeat(longest + 1);
  return [fence, ...lines, fence];
}

function changesSection(changes: readonly ObjectChange[]): string[] {
  if (changes.length === 0) return ['**No changes:** the release already matches the chart and values.', ''];
  const count = (kind: ObjectChange['change']) => changes.filter((c) => c.change === kind).length;
  return [
    `**${count('added')} to add, ${count('changed')} to change, ${count('removed')} to remove** (diffs in the log).`,
    '',
    '| Change | Object |',
    '| --- | --- |',
    ...changes.map((c) => `| ${c.change} | ${markdownCode(c.title)} |`),
    '',
  ];
}

function failureSection(f: FailureReport): string[] {
  const lines = [
    `**Failed${f.revision !== undefined ? ` at revision ${f.revision}` : ''}.**` +
      (f.rolledBackTo !== undefined ? ` Rolled back to revision ${f.rolledBackTo} (atomic).` : ''),
    '',
    ...fenced(f.error.split(/\r?\n/)),
    '',
  ];
  const notes = f.status.findIndex((l) => l.startsWith('NOTES:'));
  const shownStatus = notes >= 0 ? f.status.slice(0, notes) : f.status;
  if (shownStatus.length > 0) lines.push('`helm status`:', '', ...fenced(shownStatus), '');
  if (f.events.length > 0)
    lines.push('Recent warning events:', '', ...f.events.map((e) => `- ${markdownCell(e)}`), '');
  return lines;
}

function imagesSection({ images, verified }: ImageCheck): string[] {
  return [
    `**Images verified before deploying** (${images.length}, each pinned by digest${verified ? ' and signed' : ''}):`,
    '',
    '| Image | Signature | Used by |',
    '| --- | --- | --- |',
    ...images.map(
      (i) =>
        `| ${markdownCode(i.reference)} | ${markdownCell(i.signer ?? 'not checked (pinned)')} | ${i.usedBy.map(markdownCode).join('<br>')} |`,
    ),
    '',
    ...(verified?.length ? [signaturesMarkdown(verified, 'Signatures verified before deploying')] : []),
  ];
}

/** The build summary: what was done, and the release's `helm history`. */
export function renderSummary(s: DeploySummary): string {
  const lines = [
    `### Helm release ${markdownCode(s.release)} (${s.action})`,
    '',
    `Namespace ${markdownCode(s.namespace)} on ${markdownCell(s.cluster)}, ${s.helmVersion}.`,
    '',
  ];
  if (s.changeCause) lines.push(`**Change cause:** ${markdownCell(s.changeCause)}`, '');
  if (s.failure) lines.push(...failureSection(s.failure));
  if (s.changes) lines.push(...changesSection(s.changes));
  if (s.images) lines.push(...imagesSection(s.images));
  if (s.annotated.length > 0) lines.push(`Annotated: ${s.annotated.map(markdownCode).join(', ')}`, '');
  if (s.history.length === 0) {
    lines.push(
      s.action === 'uninstall'
        ? 'The release has no history (it was uninstalled).'
        : 'The release has no history.',
      '',
    );
    return lines.join('\n');
  }
  lines.push(
    '| Revision | Updated | Status | Chart | App version | Description |',
    '| ---: | --- | --- | --- | --- | --- |',
  );
  for (const h of [...s.history].reverse()) {
    lines.push(
      `| ${h.revision} | ${markdownCell(h.updated)} | ${markdownCell(h.status)} | ${markdownCell(h.chart)} | ${markdownCell(h.appVersion)} | ${markdownCell(h.description)} |`,
    );
  }
  lines.push('');
  return lines.join('\n');
}
