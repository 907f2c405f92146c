import { HelmCommandError } from './helmRunner';
import { withUpgradeArgs, type ActionDeps, type UpgradeOptions } from './releaseActions';

/** Helm's words when it cannot talk to the API server (Helm 3 capitalises, Helm 4 does not). */
export const UNREACHABLE = /kubernetes cluster unreachable/i;

export const lastLine = (text: string): string => text.trim().split(/\r?\n/).pop() ?? '';

/** What `helm upgrade` with the same options would send to the cluster, rendered without changing it. */
export interface RenderedRelease {
  /** The release's manifest (for `helm template`: every rendered document, hooks included). */
  readonly manifest: string;
  /** The hooks' manifests (a server-side dry run keeps them apart from the manifest), tests included. */
  readonly hooks: readonly string[];
  /** `server` (a server-side dry run) or `template` (the cluster could not be reached). */
  readonly renderedWith: 'server' | 'template';
}

interface DryRunRelease {
  readonly manifest?: unknown;
  readonly hooks?: unknown;
}

/** The release `helm upgrade --dry-run=server --output=json` prints. */
function dryRunRelease(stdout: string): Pick<RenderedRelease, 'manifest' | 'hooks'> {
  let release: DryRunRelease;
  try {
    release = JSON.parse(stdout.slice(Math.max(0, stdout.indexOf('{')))) as DryRunRelease;
  } catch {
    throw new Error('helm upgrade --dry-run=server did not print the release as JSON.');
  }
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return {
    manifest: text(release.manifest),
    hooks: (Array.isArray(release.hooks) ? (release.hooks as unknown[]) : []).map((h) =>
      text((h as { manifest?: unknown } | null)?.manifest),
    ),
  };
}

/**
 * Renders the release exactly as the upgrade would (same chart, values, flags and post-renderers):
 * a server-side dry run, or `helm template` when the cluster cannot be reached.
 */
export async function renderRelease(deps: ActionDeps, options: UpgradeOptions): Promise<RenderedRelease> {
  const { helm, logger } = deps;
  const run = (mode: 'dry-run' | 'template') =>
    withUpgradeArgs(deps, options, mode, async (args, renderer) => {
      const result = await helm.run(args);
      for (const failure of renderer.relay.failures) logger.warn(`Post-renderer: ${failure}`);
      return result;
    });
  const dry = await run('dry-run');
  if (dry.code === 0) return { ...dryRunRelease(dry.stdout), renderedWith: 'server' };
  if (!UNREACHABLE.test(dry.stderr)) throw new HelmCommandError('upgrade --dry-run=server', dry);
  logger.warn(
    `The cluster could not be reached for a server-side dry run (${lastLine(dry.stderr)}): rendering with helm template instead. ` +
      'Lookups in the chart find nothing and the API server does not check the objects.',
  );
  const template = await run('template');
  if (template.code !== 0) throw new HelmCommandError('template', template);
  return { manifest: template.stdout, hooks: [], renderedWith: 'template' };
}
