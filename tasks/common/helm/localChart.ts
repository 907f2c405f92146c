import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log';
import { chartArgs, describeChart } from './chartSource';
import type { HelmRunner } from './helmRunner';
import { runOnRegistry } from './registryLogin';
import type { UpgradeOptions } from './releaseActions';

/**
 * The upgrade's options with the chart as one local archive, so that a check of the rendered
 * release (verifyImages) and the upgrade use the same chart: a chart from an OCI registry or a
 * chart repository is pulled once (`helm pull`, the version the upgrade would choose), where two
 * pulls could get two charts (a version range, a version pushed again in between). Folders and
 * archives are used as they are.
 */
export async function localChart(
  helm: HelmRunner,
  logger: Logger,
  options: UpgradeOptions,
): Promise<UpgradeOptions> {
  const { chart } = options;
  if (chart.kind === 'folder' || chart.kind === 'archive') return options;
  fs.mkdirSync(helm.privatePath('pulled'), { recursive: true, mode: 0o700 });
  const dest = fs.mkdtempSync(path.join(helm.privatePath('pulled'), 'chart-'));
  const args = [
    'pull',
    ...chartArgs(chart),
    ...(options.chartVersion ? [`--version=${options.chartVersion}`] : []),
    '--destination',
    dest,
  ];
  if (chart.kind === 'oci') {
    await runOnRegistry(helm, chart.location.host, options.plainHttp, 'transfer', args);
  } else await helm.mustRun(args);
  const file = fs.readdirSync(dest).find((f) => f.endsWith('.tgz'));
  if (!file) throw new Error(`helm pull wrote no chart archive to ${dest}`);
  logger.info(
    `Chart ${describeChart(chart)} pulled once (${file}): the images are checked in the chart the upgrade installs.`,
  );
  // The archive is the version chosen: `--version` no longer applies.
  const local: UpgradeOptions & { chartVersion?: string } = {
    ...options,
    chart: { kind: 'archive', path: path.join(dest, file) },
    plainHttp: false,
  };
  delete local.chartVersion;
  return local;
}
