import { UserError } from '../errors';

/** A Helm client version, e.g. v3.17.3. */
export interface HelmVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** As Helm printed it, without build metadata: `v3.17.3`. */
  readonly text: string;
}

/** The oldest Helm this library drives: OCI support became stable in 3.8. */
export const MIN_HELM: Pick<HelmVersion, 'major' | 'minor'> = { major: 3, minor: 8 };
/** The newest major version it knows. */
export const MAX_HELM_MAJOR = 4;

/** The first `vX.Y.Z` in Helm's `version --short` output (Helm 2 prints `Client: v2...`). */
export function parseHelmVersion(output: string): HelmVersion | undefined {
  const m = /\bv?(\d+)\.(\d+)\.(\d+)(?:-[0-9A-Za-z.-]+)?/.exec(output);
  if (!m) return undefined;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return {
    major,
    minor,
    patch,
    text: `v${major}.${minor}.${patch}${m[0].includes('-') ? m[0].slice(m[0].indexOf('-')) : ''}`,
  };
}

/** Throws a UserError naming the binary unless Helm 3.8+ or 4.x. */
export function checkSupportedHelm(version: HelmVersion, binary: string): void {
  const tooOld =
    version.major < MIN_HELM.major || (version.major === MIN_HELM.major && version.minor < MIN_HELM.minor);
  if (tooOld) {
    throw new UserError(
      `Helm ${version.text} at ${binary} is too old: this task needs Helm ${MIN_HELM.major}.${MIN_HELM.minor} or later ` +
        `(OCI registries, --password-stdin). Install a newer Helm (e.g. with HelmInstaller@1) or point 'helmPath' at one.`,
    );
  }
  if (version.major > MAX_HELM_MAJOR) {
    throw new UserError(
      `Helm ${version.text} at ${binary} is a major version this task does not know (it supports 3.8+ and 4.x).`,
    );
  }
}
