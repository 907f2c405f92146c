import type { PinReport } from '../common/pinning';
import { markdownCell, markdownCode } from '../common/markdown';

const TITLES = {
  pin: 'Image digests pinned',
  lock: 'Image digests locked',
  verify: 'Image digests verified',
};

/** The build summary: images and digests, files changed, what was not pinned and why, drift. */
export function summaryMarkdown(
  report: PinReport,
  details: { readonly lockFile: string | undefined; readonly registryRequests: number },
): string {
  const lines = [`## ${TITLES[report.action]}`, ''];
  const images = report.lock.images;
  lines.push(
    `${images.length} image(s) in ${report.scanned.length} file(s); ` +
      `${report.filesChanged.length} file(s) changed; ${details.registryRequests} registry request(s).`,
    '',
  );
  if (images.length > 0) {
    lines.push('| Image | Digest | Platforms | Places |', '| --- | --- | --- | --- |');
    for (const image of images) {
      const places = image.occurrences.map((o) => `${o.file}:${o.line}`);
      const shown = places.length > 3 ? [...places.slice(0, 3), `+${places.length - 3} more`] : places;
      lines.push(
        `| ${markdownCode(image.reference)} | ${markdownCode(image.digest)} | ${markdownCell(image.platforms.join(', ') || '-')} | ${markdownCell(shown.join(', '))} |`,
      );
    }
    lines.push('');
  }
  if (report.filesChanged.length > 0) {
    lines.push('**Files changed**', '', ...report.filesChanged.map((f) => `- ${markdownCode(f)}`), '');
  }
  if (report.drift.length > 0) {
    lines.push('**Tags that moved since pinning**', '');
    lines.push(...report.drift.map((d) => `- ${markdownCode(d.reference)}: ${markdownCell(d.message)}`), '');
  }
  if (report.unresolvable.length > 0) {
    lines.push('**Not pinned (built from variables)**', '');
    lines.push(
      ...report.unresolvable.map(
        (u) => `- ${markdownCode(`${u.file}:${u.line}`)} ${markdownCode(u.text)}: ${markdownCell(u.reason)}`,
      ),
    );
    lines.push('');
  }
  if (report.skipped.length > 0) {
    lines.push(
      '**Files skipped**',
      '',
      ...report.skipped.map((s) => `- ${markdownCode(s.file)}: ${markdownCell(s.reason)}`),
      '',
    );
  }
  if (details.lockFile) lines.push(`Lock file: ${markdownCode(details.lockFile)}`, '');
  return lines.join('\n');
}
