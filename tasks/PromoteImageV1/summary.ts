import type { CopyReport } from '../common/copy';
import { signaturesMarkdown, type VerifiedImage } from '../common/signatures';
import { markdownCell as cell, markdownCode as code } from '../common/markdown';
import type { Promotion } from './inputs';

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

export interface PromotionResult {
  readonly promotion: Promotion;
  readonly report: CopyReport;
}

export interface RunTotals {
  readonly requests: number;
  readonly durationMs: number;
  readonly dryRun: boolean;
}

export const targetRepository = (p: Promotion): string => `${p.target.registry}/${p.target.repository}`;

/** `host/repo:tag@sha256:...` of the promoted image, under its first target tag. */
export const promotedReference = ({ promotion, report }: PromotionResult): string =>
  `${targetRepository(promotion)}:${promotion.tags[0] ?? ''}@${report.digest}`;

function imageRow({ promotion, report }: PromotionResult): string {
  const tags = promotion.tags.map((t) => `\`${targetRepository(promotion)}:${t}\``).join('<br>');
  const platforms = report.platforms.length > 0 ? report.platforms.join(', ') : 'single platform';
  const moved =
    `${report.blobsMounted} mounted, ${report.blobsCopied} copied (${formatBytes(report.bytesCopied)}), ` +
    `${report.blobsSkipped} already there`;
  const tagState = report.tagsUnchanged.length > 0 ? ` (unchanged: ${report.tagsUnchanged.join(', ')})` : '';
  return `| ${code(promotion.source.toString())} | ${tags}${tagState} | \`${report.digest}\` | ${platforms} | ${moved} | ${report.referrersCopied} |`;
}

function signatureSection(verified: readonly VerifiedImage[] | undefined): string[] {
  return verified ? ['', signaturesMarkdown(verified, 'Signatures verified before promotion').trimEnd()] : [];
}

/** A promoted image's record, as the summary lists it. */
export interface RecordRow {
  readonly result: PromotionResult;
  readonly record: { readonly digest: string; readonly via: string; readonly signedBy: string | undefined };
  readonly contents: string;
}

function recordSection(records: readonly RecordRow[]): string[] {
  if (records.length === 0) return [];
  return [
    '',
    '#### Promotion records',
    '',
    '| Image | Record | Found via | Signed by | Records |',
    '| --- | --- | --- | --- | --- |',
    ...records.map(
      (r) =>
        `| ${code(promotedReference(r.result))} | \`${r.record.digest}\` | ${r.record.via === 'api' ? 'referrers API' : 'fallback tag'} | ${r.record.signedBy ? code(r.record.signedBy) : 'unsigned'} | ${cell(r.contents)} |`,
    ),
  ];
}

/** What lockTarget did, for the outputs and the build summary. */
export interface LockOutcome {
  /** The attributes set, e.g. `writeEnabled false, deleteEnabled false`. */
  readonly attributes: string;
  /** Tags locked (`host/repository:tag`), their manifests with them. */
  readonly locked: readonly string[];
  /** Tags a dry run would have locked. */
  readonly wouldLock: readonly string[];
  /** Tags on registries without ACR's lock API: promoted unlocked. */
  readonly unsupported: readonly string[];
}

function lockSection(locks: LockOutcome | undefined): string[] {
  if (!locks) return [];
  const list = (names: readonly string[]) => names.map((n) => code(n)).join(', ');
  return [
    '',
    '#### Target locks (Azure Container Registry)',
    '',
    ...(locks.locked.length
      ? [`Locked, tag and manifest (${locks.attributes}): ${list(locks.locked)}.`]
      : []),
    ...(locks.wouldLock.length
      ? [`Would lock, tag and manifest (${locks.attributes}): ${list(locks.wouldLock)}.`]
      : []),
    ...(locks.unsupported.length
      ? [`Not locked (the registry has no ACR lock API): ${list(locks.unsupported)}.`]
      : []),
  ];
}

/** What the summary shows besides the copies; each part only when the run did it. */
export interface SummaryExtras {
  readonly verified?: readonly VerifiedImage[] | undefined;
  readonly records?: readonly RecordRow[];
  readonly locks?: LockOutcome | undefined;
}

/** The build summary section: what was promoted where, what moved, whose signature was accepted, what was locked. */
export function renderSummary(
  results: readonly PromotionResult[],
  totals: RunTotals,
  { verified, records = [], locks }: SummaryExtras = {},
): string {
  const title = totals.dryRun ? 'Image promotion (dry run: nothing was changed)' : 'Image promotion';
  const bytes = results.reduce((n, r) => n + r.report.bytesCopied, 0);
  return [
    `### ${title}`,
    '',
    '| Source | Target | Digest | Platforms | Blobs | Referrers (signatures, SBOMs) |',
    '| --- | --- | --- | --- | --- | --- |',
    ...results.map(imageRow),
    ...signatureSection(verified),
    ...recordSection(records),
    ...lockSection(locks),
    '',
    `${results.length} image(s), ${formatBytes(bytes)} copied, ${totals.requests} registry requests, ` +
      `${(totals.durationMs / 1000).toFixed(1)} s.`,
    '',
  ].join('\n');
}
