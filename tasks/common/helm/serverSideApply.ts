import { UserError } from '../errors';
import type { HelmRunner } from './helmRunner';

export const SERVER_SIDE_CHOICES = ['auto', 'true', 'false'] as const;

/** Helm 4's server-side apply settings, as the `serverSideApply` and `forceConflicts` inputs give them. */
export interface ServerSideOptions {
  /** `auto` keeps the method of the release's previous revision (server-side for a new release). */
  readonly apply: (typeof SERVER_SIDE_CHOICES)[number];
  /** Take over fields another field manager owns instead of failing on the conflict. */
  readonly forceConflicts: boolean;
}

/**
 * `--server-side` and `--force-conflicts` as Helm 4 takes them. Helm 3 only applies client-side
 * (a three-way merge), so `auto` and `false` ask nothing of it, and `true` or `forceConflicts`
 * are refused rather than silently ignored.
 */
export function serverSideFlags(helm: HelmRunner, options: ServerSideOptions): string[] {
  if (options.forceConflicts && options.apply === 'false') {
    throw new UserError(
      "Input 'forceConflicts' is true but 'serverSideApply' is false: conflicts only arise with server-side apply. Set 'serverSideApply' to auto or true, or 'forceConflicts' to false.",
    );
  }
  if (helm.major < 4) {
    if (options.apply === 'true' || options.forceConflicts) {
      const which = options.apply === 'true' ? "'serverSideApply: true'" : "'forceConflicts: true'";
      throw new UserError(
        `${which} needs Helm 4: Helm ${helm.helm.version.text} at ${helm.helm.path} applies client-side only. ` +
          "Use Helm 4 (e.g. 'helmPath'), or set 'serverSideApply' to auto or false and 'forceConflicts' to false.",
      );
    }
    return [];
  }
  return [`--server-side=${options.apply}`, ...(options.forceConflicts ? ['--force-conflicts'] : [])];
}
