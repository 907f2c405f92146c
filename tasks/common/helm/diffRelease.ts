import { HelmCommandError } from './helmRunner';
import { diffManifests, type ChangeKind, type ObjectChange } from './manifestDiff';
import { withUpgradeArgs, type ActionDeps, type UpgradeOptions } from './releaseActions';
import { releaseStatus, targetArgs } from './releaseInfo';

/** What an upgrade with the same inputs would change, and how that was found out. */
export interface ReleaseDiff {
  readonly changes: readonly ObjectChange[];
  /** `server` (a server-side dry run) or `template` (the cluster could not be reached). */
  readonly renderedWith: 'server' | 'template';
  /** The live release's revision compared with; undefined when there is none (a first install) or it could not be read. */
  readonly liveRevision: number | undefined;
}

/** Helm's words when it cannot talk to the API server (Helm 3 capitalises, Helm 4 does not). */
const UNREACHABLE = /kubernetes cluster unreachable/i;

const lastLine = (text: string): string => text.trim().split(/\r?\n/).pop() ?? '';

/** The `manifest` of the release `helm upgrade --dry-run=server --output=json` prints. */
function dryRunManifest(stdout: string): string {
  let release: unknown;
  try {
    release = JSON.parse(stdout.slice(Math.max(0, stdout.indexOf('{'))));
  } catch {
    throw new Error('helm upgrade --dry-run=server did not print the release as JSON.');
  }
  const manifest = (release as { manifest?: unknown }).manifest;
  return typeof manifest === 'string' ? manifest : '';
}

/** The new manifest: a server-side dry run, or `helm template` when the cluster cannot be reached. */
async function render(
  deps: ActionDeps,
  options: UpgradeOptions,
): Promise<[string, ReleaseDiff['renderedWith']]> {
  const { helm, logger } = deps;
  const run = (mode: 'dry-run' | 'template') =>
    withUpgradeArgs(deps, options, mode, async (args, renderer) => {
      const result = await helm.run(args);
      for (const failure of renderer.relay.failures) logger.warn(`Post-renderer: ${failure}`);
      return result;
    });
  const dry = await run('dry-run');
  if (dry.code === 0) return [dryRunManifest(dry.stdout), 'server'];
  if (!UNREACHABLE.test(dry.stderr)) throw new HelmCommandError('upgrade --dry-run=server', dry);
  logger.warn(
    `The cluster could not be reached for a server-side dry run (${lastLine(dry.stderr)}): rendering with helm template instead. ` +
      'Lookups in the chart find nothing and the API server does not check the objects.',
  );
  const template = await run('template');
  if (template.code !== 0) throw new HelmCommandError('template', template);
  return [template.stdout, 'template'];
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
  const [rendered, renderedWith] = await render(deps, options);
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
