import type { Logger } from '../log';
import { chartArgs, type ChartSource } from './chartSource';
import { HelmCommandError, type HelmRunner } from './helmRunner';
import {
  installPostRenderer,
  type ChangeCausePostRenderer,
  type UserPostRenderer,
} from './postRender/postRenderer';
import { registryFlags } from './registryLogin';
import { serverSideFlags, type ServerSideOptions } from './serverSideApply';
import { releaseStatus, targetArgs, type ReleaseStatus, type ReleaseTarget } from './releaseInfo';
import { writeValuesFile, type ValueAssignment } from './valuesFile';

export interface ActionDeps {
  readonly helm: HelmRunner;
  readonly logger: Logger;
}

/** Flags every action shares. */
export interface CommonOptions extends ReleaseTarget {
  readonly wait: boolean;
  /** A Helm duration: `5m`, `300s`, `1h30m`. */
  readonly timeout: string;
  /** Extra arguments, appended as given. */
  readonly extraArgs: readonly string[];
}

export interface UpgradeOptions extends CommonOptions {
  readonly chart: ChartSource;
  readonly chartVersion?: string;
  readonly createNamespace: boolean;
  /** Values files in order (later ones win); the `values` lines win over all of them. */
  readonly valueFiles: readonly string[];
  readonly values: readonly ValueAssignment[];
  readonly changeCause: string;
  readonly atomic: boolean;
  readonly historyMax: number;
  readonly userPostRenderer?: UserPostRenderer;
  /** An oci:// chart on a plain-HTTP registry. */
  readonly plainHttp: boolean;
  /** Helm 4's server-side apply (`--server-side`, `--force-conflicts`); refused on Helm 3 when asked for. */
  readonly serverSide?: ServerSideOptions;
}

export interface RollbackOptions extends CommonOptions {
  /** Default: the previous revision. */
  readonly revision?: number;
  readonly historyMax: number;
}

export interface UninstallOptions extends CommonOptions {
  readonly description: string;
}

/** `--wait` as each Helm spells it: Helm 4 takes a strategy, `watcher` is the one that waits for readiness. */
function waitFlag(helm: HelmRunner, wait: boolean): string[] {
  if (!wait) return [];
  return [helm.major >= 4 ? '--wait=watcher' : '--wait'];
}

export interface UpgradeResult {
  readonly status: ReleaseStatus | undefined;
  /** `Deployment/web`... that carry the change cause. */
  readonly annotated: readonly string[];
}

/**
 * How the upgrade runs: for real, as a server-side dry run that prints the release as JSON, or as
 * `helm template` (the same rendering without the cluster).
 */
export type UpgradeMode = 'apply' | 'dry-run' | 'template';

/**
 * Composes `helm upgrade --install` from the options (values file and post-renderer included) and
 * runs `body` with the arguments while the post-renderer listens. The values lines go to a
 * private values file (0600) passed last; only their keys are logged.
 */
export async function withUpgradeArgs<T>(
  deps: ActionDeps,
  options: UpgradeOptions,
  mode: UpgradeMode,
  body: (args: string[], renderer: ChangeCausePostRenderer) => Promise<T>,
): Promise<T> {
  const { helm, logger } = deps;
  const args = [
    mode === 'template' ? 'template' : 'upgrade',
    options.release,
    ...chartArgs(options.chart),
    ...(mode === 'template' ? [] : ['--install', `--history-max=${options.historyMax}`]),
    ...targetArgs(options),
    `--timeout=${options.timeout}`,
    `--description=${options.changeCause}`,
  ];
  if (options.createNamespace) args.push('--create-namespace');
  if (options.chartVersion) args.push(`--version=${options.chartVersion}`);
  if (options.chart.kind === 'oci') args.push(...registryFlags(helm, options.plainHttp, 'transfer'));
  // `helm template` applies nothing (Helm 4 takes its --server-side as a plain boolean there).
  if (options.serverSide && mode !== 'template') args.push(...serverSideFlags(helm, options.serverSide));
  // Helm before 3.13 takes a plain --dry-run, which already asks the cluster (lookups, the live release).
  const oldDryRun = helm.major === 3 && helm.helm.version.minor < 13;
  if (mode === 'dry-run') args.push(oldDryRun ? '--dry-run' : '--dry-run=server', '--output=json');
  else if (mode === 'apply') {
    if (options.atomic) args.push(helm.major >= 4 ? '--rollback-on-failure' : '--atomic');
    args.push(...waitFlag(helm, options.wait));
  }
  for (const file of options.valueFiles) args.push(`--values=${file}`);
  if (options.values.length > 0) {
    const file = helm.privatePath('values.yaml');
    const keys = writeValuesFile(file, options.values);
    logger.info(`Values from the 'values' input (keys only): ${keys.join(', ')}`);
    args.push(`--values=${file}`);
  }
  const renderer = await installPostRenderer(helm, {
    changeCause: options.changeCause,
    logger,
    ...(options.userPostRenderer ? { user: options.userPostRenderer } : {}),
  });
  try {
    args.push(...renderer.args, ...options.extraArgs);
    return await body(args, renderer);
  } finally {
    await renderer.close();
  }
}

/**
 * `helm upgrade --install` with the change cause: as `--description`, and as the
 * `kubernetes.io/change-cause` annotation on every workload through the post-renderer.
 */
export async function upgradeRelease(deps: ActionDeps, options: UpgradeOptions): Promise<UpgradeResult> {
  const { helm, logger } = deps;
  return withUpgradeArgs(deps, options, 'apply', async (args, renderer) => {
    const result = await helm.run(args, { echo: true });
    for (const failure of renderer.relay.failures) logger.warn(`Post-renderer: ${failure}`);
    if (result.code !== 0) throw new HelmCommandError('upgrade', result);
    return { status: await releaseStatus(helm, options), annotated: renderer.annotated };
  });
}

/** `helm rollback` to a revision (default: the previous one). */
export async function rollbackRelease(
  deps: ActionDeps,
  options: RollbackOptions,
): Promise<ReleaseStatus | undefined> {
  const { helm } = deps;
  await helm.mustRun(
    [
      'rollback',
      options.release,
      ...(options.revision !== undefined ? [String(options.revision)] : []),
      ...targetArgs(options),
      `--history-max=${options.historyMax}`,
      `--timeout=${options.timeout}`,
      ...waitFlag(helm, options.wait),
      ...options.extraArgs,
    ],
    { echo: true },
  );
  return releaseStatus(helm, options);
}

/** `helm uninstall`, recording why. */
export async function uninstallRelease(deps: ActionDeps, options: UninstallOptions): Promise<void> {
  const { helm } = deps;
  await helm.mustRun(
    [
      'uninstall',
      options.release,
      ...targetArgs(options),
      `--timeout=${options.timeout}`,
      `--description=${options.description}`,
      ...waitFlag(helm, options.wait),
      ...options.extraArgs,
    ],
    { echo: true },
  );
}
