import { UserError } from '../errors';

/** SemVer 2.0.0, as Helm requires for chart versions (semver.org's regular expression). */
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export function isSemver(text: string): boolean {
  return SEMVER.test(text);
}

/** `1.0.2` from `v1.0.2` or `1.0.2`, else undefined. */
function semverOf(text: string): string | undefined {
  const bare = text.replace(/^v/, '');
  return isSemver(bare) ? bare : undefined;
}

export interface ChartVersionSources {
  /** The `version` input. */
  readonly explicit?: string;
  /** Build.SourceBranch (`refs/heads/release/delivery/v1.0.2`). */
  readonly branch?: string;
  readonly buildNumber?: string;
}

export interface ChosenVersion {
  readonly version: string;
  readonly source: 'input' | 'branch' | 'build number';
  /** The `<service>` segment of a release branch, when the version came from one. */
  readonly service?: string;
}

/** The release-branch convention: `release/<service>/v1.0.2` (refs/heads/ optional). */
export function versionFromBranch(branch: string): { version: string; service?: string } | undefined {
  const name = branch.trim().replace(/^refs\/heads\//, '');
  const m = /^release\/(?:(.+)\/)?([^/]+)$/.exec(name);
  const version = m?.[2] !== undefined ? semverOf(m[2]) : undefined;
  if (!version) return undefined;
  return m?.[1] ? { version, service: m[1] } : { version };
}

/** The chart version: the input, else the release branch, else a SemVer build number; else a clear error. */
export function chooseChartVersion(sources: ChartVersionSources): ChosenVersion {
  if (sources.explicit) {
    const version = semverOf(sources.explicit);
    if (!version) {
      throw new UserError(
        `Input 'version' (${sources.explicit}) is not a SemVer 2 version such as 1.4.0 or 1.4.0-rc.1.`,
      );
    }
    return { version, source: 'input' };
  }
  const fromBranch = sources.branch ? versionFromBranch(sources.branch) : undefined;
  if (fromBranch) return { ...fromBranch, source: 'branch' };
  const fromBuild = sources.buildNumber ? semverOf(sources.buildNumber) : undefined;
  if (fromBuild) return { version: fromBuild, source: 'build number' };
  throw new UserError(
    `No chart version: input 'version' is empty, the branch '${sources.branch ?? ''}' is not a release branch ` +
      `(release/<service>/v1.0.2) and the build number '${sources.buildNumber ?? ''}' is not SemVer. ` +
      `Set 'version', build from a release branch, or give the pipeline a SemVer build number (name: 1.0.$(Rev:r)).`,
  );
}

/** The OCI tag Helm pushes a version as: `+` is not allowed in tags, Helm writes `_`. */
export function ociTag(version: string): string {
  return version.replace(/\+/g, '_');
}
