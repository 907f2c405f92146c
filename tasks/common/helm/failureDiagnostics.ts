import YAML from 'yaml';
import type { Logger } from '../log';
import type { HelmRunner } from './helmRunner';
import { recentWarnings, type ClusterEvent } from '../kubernetes';
import type { HttpSettings } from '../net';
import { targetArgs, type ReleaseTarget } from './releaseInfo';

export interface DiagnosticsOptions {
  readonly target: ReleaseTarget;
  /** The kubeconfig Helm used, for reading events (undefined: events are not read). */
  readonly kubeconfig?: string;
  /** The agent's proxy and certificates, for reading events. */
  readonly network: HttpSettings;
  /** When the failed action started: older events are not about it. */
  readonly since: Date;
  /** The namespace events are read from when the target names none. */
  readonly defaultNamespace: string;
  /** The failed revision, whose objects are asked about too (atomic may have rolled them away). */
  readonly failedRevision?: number;
}

/** Names of the objects in the release's manifest (`helm get manifest`), of `revision` too when given. */
async function releaseObjectNames(
  helm: HelmRunner,
  target: ReleaseTarget,
  revision?: number,
): Promise<string[]> {
  const names = new Set<string>();
  for (const at of revision !== undefined ? [[], [`--revision=${revision}`]] : [[]]) {
    const result = await helm.run(['get', 'manifest', target.release, ...targetArgs(target), ...at]);
    if (result.code !== 0) continue;
    for (const doc of YAML.parseAllDocuments(result.stdout)) {
      const name = doc.errors.length === 0 ? doc.getIn(['metadata', 'name']) : undefined;
      if (typeof name === 'string') names.add(name);
    }
  }
  return [...names];
}

/** What the diagnostics found, for the build summary. */
export interface FailureDiagnostics {
  /** `helm status` as Helm prints it (or its error). */
  readonly status: readonly string[];
  /** Recent Warning events about the release's objects, one line each. */
  readonly events: readonly string[];
}

function eventLine(e: ClusterEvent): string {
  return `${e.time || '-'} ${e.type} ${e.reason} ${e.object}: ${e.message}`;
}

/**
 * After a failed action, logs why: `helm status` as Helm reports it, then the recent Warning events
 * of the release's objects (and the ReplicaSets and Pods named after them) when the cluster answers.
 * Never throws: a diagnostic that fails is reported in the debug log. Returns what it logged.
 */
export async function logFailureDiagnostics(
  helm: HelmRunner,
  logger: Logger,
  options: DiagnosticsOptions,
): Promise<FailureDiagnostics> {
  const { target } = options;
  const found = { status: [] as string[], events: [] as string[] };
  await logger.group(`Diagnostics: release ${target.release}`, async () => {
    try {
      const status = await helm.run(['status', target.release, ...targetArgs(target)]);
      found.status =
        status.code === 0 ? status.stdout.trimEnd().split(/\r?\n/) : [`helm status: ${status.stderr.trim()}`];
      found.status.forEach((l) => logger.info(l));
      if (!options.kubeconfig) return;
      const names = await releaseObjectNames(helm, target, options.failedRevision);
      const events = await recentWarnings(
        options.kubeconfig,
        target.namespace ?? options.defaultNamespace,
        names,
        options.since,
        logger,
        options.network,
        target.kubeContext,
      );
      if (events === undefined) logger.info('Recent events: the cluster could not be asked.');
      else if (events.length === 0) logger.info('Recent events: no warnings about the release objects.');
      else {
        logger.info('Recent warning events:');
        found.events = events.map(eventLine);
        found.events.forEach((e) => logger.info(`  ${e}`));
      }
    } catch (err) {
      logger.debug(`Diagnostics failed: ${(err as Error).message}`);
    }
  });
  return found;
}
