import { UserError } from '../errors';
import type { Logger } from '../log';
import { readChartMetadata } from './chartMetadata';
import { HelmCommandError, type HelmRunner } from './helmRunner';
import { parseOciLocation } from './ociLocation';
import { registryFlags } from './registryLogin';

/** The OCI registries (`host[:port]`) a chart folder's dependencies come from, each once. */
export function ociDependencyHosts(chartDir: string): string[] {
  const repositories = readChartMetadata(chartDir).dependencyRepositories.filter((r) => /^oci:\/\//i.test(r));
  const hosts = repositories.map(
    (r) => parseOciLocation(r, `A dependency's repository in ${chartDir}/Chart.yaml`).host,
  );
  return [...new Set(hosts)];
}

/**
 * `helm dependency update` for a chart folder: fetches the dependencies named in Chart.yaml into
 * its charts/ folder and writes Chart.lock, signed in where the caller signed Helm in. Helm takes
 * one `--plain-http` for all of them, so OCI dependencies on plain-HTTP and HTTPS registries can't
 * be mixed.
 */
export async function updateDependencies(
  helm: HelmRunner,
  logger: Logger,
  chartDir: string,
  plainHttpHosts: ReadonlySet<string>,
): Promise<void> {
  const hosts = ociDependencyHosts(chartDir);
  const plain = hosts.filter((h) => plainHttpHosts.has(h));
  if (plain.length > 0 && plain.length < hosts.length) {
    throw new UserError(
      `The dependencies of ${chartDir} come from plain-HTTP (${plain.join(', ')}) and HTTPS registries ` +
        `(${hosts.filter((h) => !plainHttpHosts.has(h)).join(', ')}); helm dependency update reaches all of them ` +
        "the same way: vendor the dependencies into charts/ instead, or list all of them in 'insecureRegistries'.",
    );
  }
  try {
    await logger.group(`helm dependency update ${chartDir}`, () =>
      helm.mustRun(['dependency', 'update', chartDir, ...registryFlags(helm, plain.length > 0, 'transfer')], {
        echo: true,
      }),
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
