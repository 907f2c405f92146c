import type { CopyReport } from '../common/registry/copy';
import type { ImageReference } from '../common/registry/reference';

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export interface PromotionSummary {
  readonly source: ImageReference;
  readonly targetRepository: string;
  readonly report: CopyReport;
}

/** The build summary section: what was promoted where, and what moved. */
export function renderSummary({ source, targetRepository, report }: PromotionSummary): string {
  const tags = [...report.tagsCreated, ...report.tagsUnchanged];
  const title = report.dryRun ? 'Image promotion (dry run: nothing was changed)' : 'Image promotion';
  const rows: [string, string][] = [
    ['Source', `\`${source.toString()}\``],
    ['Target', tags.map((t) => `\`${targetRepository}:${t}\``).join('<br>')],
    ['Digest', `\`${report.digest}\``],
    ['Platforms', report.platforms.length > 0 ? report.platforms.join(', ') : 'single platform'],
    ['Tags created', report.tagsCreated.join(', ') || 'none'],
    ['Tags already there', report.tagsUnchanged.join(', ') || 'none'],
    ['Blobs mounted', String(report.blobsMounted)],
    ['Blobs copied', `${report.blobsCopied} (${formatBytes(report.bytesCopied)})`],
    ['Blobs already in target', String(report.blobsSkipped)],
    ['Referrers (signatures, SBOMs)', String(report.referrersCopied)],
    ['Registry requests', String(report.requests)],
    ['Time', `${(report.durationMs / 1000).toFixed(1)} s`],
  ];
  return [`### ${title}`, '', '| | |', '| --- | --- |', ...rows.map(([k, v]) => `| ${k} | ${v} |`), ''].join(
    '\n',
  );
}
