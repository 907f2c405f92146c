import { HelmCommandError } from './helmRunner';
import { diffManifests, type ChangeKind, type ObjectChange } from './manifestDiff';
import type { ActionDeps, UpgradeOptions } from './releaseActions';
import { releaseStatus, targetArgs } from './releaseInfo';
import { lastLine, renderRelease, UNREACHABLE, type RenderedRelease } from './renderRelease';

/** What an upgrade with the same inputs would change, and how that was found out. */
export interface ReleaseDiff {
  readonly changes: readonly ObjectChange[];
  /** `server` (a server-side dry run) or `template` (the cluster could not be reached). */
  readonly renderedWith: RenderedRelease['renderedWith'];
  /** The live release's revision compared with; undefined when there is none (a first install) or it could not be read. */
  readonly liveRevision: number | undefined;
}

/** The live release's manifest and revision; empty when there is no release or the cluster cannot be reached. */
async function liveManifest(
  deps: ActionDeps,
  options: UpgradeOptions,
): Promise<[string, number | undefined]> {
  const { helm, logger } = deps;
  const result = await helm.run(['get', 'manifest', options.release, ...targetArgs(options)]);
  if (result.code === 0) {
    return [result.stdout, (await releaseStatus(helm, options))?.revision];
  }
  if (/not found/i.test(result.stderr)) {
    logger.info(`Release ${options.release} does not exist yet: every object would be added.`);
    return ['', undefined];
  }
  if (UNREACHABLE.test(result.stderr)) {
    logger.warn(
      `The live release could not be read (${lastLine(result.stderr)}): the diff compares with an empty release, so every object shows as added.`,
    );
    return ['', undefined];
  }
  throw new HelmCommandError('get manifest', result);
}

const VERB: Record<ChangeKind, string> = { added: 'Add', changed: 'Change', removed: 'Remove' };

/**
 * Shows what `helm upgrade` with the same options would change, without changing anything: the
 * new manifest (server-side dry run, same values, post-renderers and flags) is compared object by
 * object with the live release's. Each changed object's unified diff goes in its own log group;
 * Secret data and the given secret values are redacted. The change-cause annotation is not
 * compared: it differs on every run by design.
 */
export async function diffRelease(
  deps: ActionDeps,
  options: UpgradeOptions,
  secrets: readonly string[],
): Promise<ReleaseDiff> {
  const { logger } = deps;
  const { manifest: rendered, renderedWith } = await renderRelease(deps, options);
  const [live, liveRevision] = await liveManifest(deps, options);
  const changes = diffManifests(live, rendered, secrets);
  for (const change of changes) {
    await logger.group(`${VERB[change.change]} ${change.title}`, () => {
      change.diff.forEach((line) => logger.info(line));
      return Promise.resolve();
    });
  }
  const count = (kind: ChangeKind) => changes.filter((c) => c.change === kind).length;
  logger.info(
    changes.length === 0
      ? `No changes: the release ${options.release} already matches the chart and values.`
      : `${count('added')} to add, ${count('changed')} to change, ${count('removed')} to remove (rendered with ${renderedWith === 'server' ? 'a server-side dry run' : 'helm template'}).`,
  );
  return { changes, renderedWith, liveRevision };
}
