import { readHelmRegistrySignIn } from '../common/agent/helmRegistrySignIn';
import { agentLogger } from '../common/agent/logger';
import { agentHttpSettings } from '../common/agent/network';
import { agentSecrets } from '../common/agent/secrets';
import { ociDependencyHosts, updateDependencies } from '../common/helm/dependencyUpdate';
import type { HelmRunner } from '../common/helm/helmRunner';
import { usesPlainHttp } from '../common/helm/registryLogin';
import { signInHelm } from '../common/helm/registrySignIn';
import type { DeployHelmChartInputs } from './inputs';

/**
 * `dependencyUpdate`: for a chart folder, signs Helm in to the OCI registries its dependencies come
 * from (the registry connection only at its own registry; Entra ID at each) and runs
 * `helm dependency update`. Packaged charts (archives, OCI, repositories) carry their dependencies.
 */
export async function updateChartDependencies(
  runner: HelmRunner,
  options: DeployHelmChartInputs,
): Promise<void> {
  const chart = options.chart;
  if (!options.dependencyUpdate || !chart) return;
  if (chart.kind !== 'folder') {
    agentLogger.info(
      "'dependencyUpdate' applies to chart folders; a packaged chart carries its dependencies.",
    );
    return;
  }
  const hosts = ociDependencyHosts(chart.path);
  const signIn = readHelmRegistrySignIn(options.registryConnection, options.registryAzureSubscription);
  const deps = {
    helm: runner,
    transport: agentHttpSettings(),
    logger: agentLogger,
    secrets: agentSecrets,
  };
  const plainHttp = new Set(hosts.filter((h) => usesPlainHttp(h, options.insecureRegistries)));
  for (const host of hosts) {
    const own = !signIn.connection || signIn.connection.host === host;
    const how = own ? await signInHelm(deps, host, plainHttp.has(host), signIn) : 'anonymous';
    agentLogger.info(
      `Dependencies from ${host}: ${how === 'anonymous' ? 'no sign-in' : `signed in with the ${how === 'entra' ? 'Azure subscription (Entra ID)' : 'registry connection'}`}.`,
    );
  }
  await updateDependencies(runner, agentLogger, chart.path, plainHttp);
}
