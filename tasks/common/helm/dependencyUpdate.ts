import { UserError } from '../errors';
import type { Logger } from '../log';
import { readChartMetadata } from './chartMetadata';
import { HelmCommandError, type HelmRunner } from './helmRunner';
import { parseOciLocation } from './ociLocation';
import { registryFlags } from './registryLogin';

/** Where a chart folder's OCI dependencies come from, read once from its Chart.yaml. */
export interface DependencyRegistries {
  /** The OCI registries (`host[:port]`), each once. */
  readonly hosts: readonly string[];
  /** Helm takes one `--plain-http` for all of them. */
  readonly plainHttp: boolean;
}

/**
 * Reads the OCI registries of a chart folder's dependencies. Helm reaches all of them with one
 * `--plain-http` or none, so dependencies on plain-HTTP and HTTPS registries are refused here,
 * before anything signs in.
 */
export function dependencyRegistries(
  chartDir: string,
  isPlainHttp: (host: string) => boolean,
): DependencyRegistries {
  const repositories = readChartMetadata(chartDir).dependencyRepositories.filter((r) => /^oci:\/\//i.test(r));
  const hosts = [
    ...new Set(
      repositories.map(
        (r) => parseOciLocation(r, `A dependency's repository in ${chartDir}/Chart.yaml`).host,
      ),
    ),
  ];
  const plain = hosts.filter(isPlainHttp);
  if (plain.length > 0 && plain.length < hosts.length) {
    throw new UserError(
      `The dependencies of ${chartDir} come from plain-HTTP (${plain.join(', ')}) and HTTPS registries ` +
        `(${hosts.filter((h) => !isPlainHttp(h)).join(', ')}); helm dependency update reaches all of them ` +
        "the same way: vendor the dependencies into charts/ instead, or list all of them in 'insecureRegistries'.",
    );
  }
  return { hosts, plainHttp: plain.length > 0 };
}

/**
 * `helm dependency update` for a chart folder: fetches the dependencies named in Chart.yaml into
 * its charts/ folder and writes Chart.lock, signed in where the caller signed Helm in.
 */
export async function updateDependencies(
  helm: HelmRunner,
  logger: Logger,
  chartDir: string,
  registries: DependencyRegistries,
): Promise<void> {
  try {
    await logger.group(`helm dependency update ${chartDir}`, () =>
      helm.mustRun(
        ['dependency', 'update', chartDir, ...registryFlags(helm, registries.plainHttp, 'transfer')],
        {
          echo: true,
        },
      ),
    );
  } catch (err) {
    if (!(err instanceof HelmCommandError)) throw err;
    throw new UserError(
      `${err.message}\nhelm dependency update failed for ${chartDir}: check the dependencies' names, versions and ` +
        "repositories in its Chart.yaml, and for a private OCI registry 'registryConnection' or 'registryAzureSubscription'.",
      { cause: err },
    );
  }
}
