import type { PublishResult, ChosenVersion } from '../common/helm';

const OUTCOME: Record<PublishResult['outcome'], string> = {
  pushed: 'Pushed',
  unchanged: 'Already published with the same content: nothing pushed',
  overwritten: 'Overwritten (the version existed with other content)',
};

const SOURCE: Record<ChosenVersion['source'], string> = {
  input: "the 'version' input",
  branch: 'the release branch',
  'build number': 'the build number',
};

/** The build summary section of a published chart. */
export function renderSummary(result: PublishResult, version: ChosenVersion, helmVersion: string): string {
  const rows: [string, string][] = [
    ['Chart', `\`${result.chartName}\``],
    ['Version', `\`${result.version}\` (from ${SOURCE[version.source]})`],
    ['App version', `\`${result.appVersion}\``],
    ['Reference', `\`${result.reference}\``],
    ['Digest', `\`${result.digest}\``],
    ['Result', OUTCOME[result.outcome]],
    ['Package size', `${result.archiveBytes} bytes`],
    ['Helm', helmVersion],
  ];
  return [
    '### Helm chart published',
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([k, v]) => `| ${k} | ${v} |`),
    '',
  ].join('\n');
}
