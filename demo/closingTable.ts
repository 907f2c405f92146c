// The demo's closing table: the image digest at every stage (all equal, or the run fails), what
// moved, the chart, the Helm revisions, the change cause as `kubectl rollout history` shows it,
// and the injected secrets, masked.
import { textTable } from '../runner/report/terminal';
import type { ReportTable } from '../runner/report/htmlReport';

export interface DigestCheck {
  readonly stage: string;
  readonly where: string;
  readonly digest: string;
}

export interface ClosingFacts {
  readonly digests: readonly DigestCheck[];
  readonly rows: readonly (readonly [string, string])[];
}

/** Stages whose digest differs from the first one (the image CI pushed). */
export function digestMismatches(digests: readonly DigestCheck[]): DigestCheck[] {
  const expected = digests[0]?.digest;
  return digests.filter((d) => d.digest !== expected);
}

export function closingTables(facts: ClosingFacts): ReportTable[] {
  return [
    {
      title: 'Image digest at every stage',
      header: ['Stage', 'Where', 'Digest'],
      rows: facts.digests.map((d) => [d.stage, d.where, d.digest]),
    },
    { title: 'Release facts', header: ['What', 'Value'], rows: facts.rows.map((r) => [...r]) },
  ];
}

export function closingText(facts: ClosingFacts): string[] {
  return closingTables(facts).flatMap((t) => [
    '',
    t.title,
    ...textTable(
      t.header,
      t.rows.map((r) => [...r]),
    ),
  ]);
}
