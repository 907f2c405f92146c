import { UserError } from '../errors';

/** Where charts go: `oci://host[:port]/path`. */
export interface OciLocation {
  readonly host: string;
  /** The namespace inside the registry (`charts`, `team/charts`), or '' for the root. */
  readonly path: string;
}

/** Parses an `oci://host[:port][/path]` registry input. */
export function parseOciLocation(text: string, what: string): OciLocation {
  const m = /^oci:\/\/([^/\s]+)((?:\/[^/\s]+)*)\/?$/i.exec(text.trim());
  if (!m?.[1]) {
    throw new UserError(
      `${what} '${text}' is not an OCI registry location such as oci://myregistry.azurecr.io/helm.`,
    );
  }
  const path = (m[2] ?? '').replace(/^\//, '');
  if (path !== path.toLowerCase()) {
    throw new UserError(`${what} '${text}': repository paths must be lower case.`);
  }
  return { host: m[1].toLowerCase(), path };
}

export function ociUrl(location: OciLocation): string {
  return `oci://${location.host}${location.path ? `/${location.path}` : ''}`;
}

/** The repository of a chart in the registry: `<path>/<chart name>`. */
export function chartRepository(location: OciLocation, chartName: string): string {
  return location.path ? `${location.path}/${chartName}` : chartName;
}
