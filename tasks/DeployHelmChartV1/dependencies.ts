import { readHelmRegistryAccess, type HelmRegistryAccess, agentLogger } from '../common/agent';
import {
  type ChartSource,
  dependencyRegistries,
  updateDependencies,
  type HelmRunner,
  signInHelm,
} from '../common/helm';
import { isInsecureRegistry } from '../common/registry';
import type { DeployHelmChartInputs } from './inputs';

/**
 * Before an upgrade or diff: signs Helm in to the chart's OCI registry and updates a chart folder's
 * dependencies. The registry sign-in inputs are read once, when a registry first needs them, into
 * one registry client whose authenticator gives every Helm login (one ACR exchange per registry).
 */
export async function prepareChart(
  runner: HelmRunner,
  options: DeployHelmChartInputs,
  chart: ChartSource,
  plainHttp: boolean,
): Promise<void> {
  let access: HelmRegistryAccess | undefined;
  const registryAccess = (): HelmRegistryAccess =>
    (access ??= readHelmRegistryAccess(
      options.registryConnection,
      options.registryAzureSubscription,
      options.insecureRegistries,
    ));
  try {
    if (chart.kind === 'oci') {
      const { client, signIn } = registryAccess();
      await signInHelm({ helm: runner, logins: client }, chart.location.host, plainHttp, signIn);
    }
    await updateChartDependencies(runner, options, registryAccess);
  } finally {
    access?.client.close();
  }
}

/**
 * `dependencyUpdate`: for a chart folder, signs Helm in to the OCI registries its dependencies come
 * from (the registry connection at its own registry; Entra ID, when given, at every other) and runs
 * `helm dependency update`. Packaged charts (archives, OCI, repositories) carry their dependencies.
 */
async function updateChartDependencies(
  runner: HelmRunner,
  options: DeployHelmChartInputs,
  registryAccess: () => HelmRegistryAccess,
): Promise<void> {
  const chart = options.chart;
  if (!options.dependencyUpdate || !chart) return;
  if (chart.kind !== 'folder') {
    agentLogger.info(
      "'dependencyUpdate' applies to chart folders; a packaged chart carries its dependencies.",
    );
    return;
  }
  const insecure = (host: string) => isInsecureRegistry(host, options.insecureRegistries);
  const registries = dependencyRegistries(chart.path, insecure);
  const { client, signIn } = registryAccess();
  const deps = { helm: runner, logins: client };
  for (const host of registries.hosts) {
    // The registry connection covers its own host; Entra ID (registryAzureSubscription) any other.
    const own = !signIn.connection || signIn.connection.host === host;
    const how = await signInHelm(deps, host, registries.plainHttp, own ? signIn : { entra: signIn.entra });
    agentLogger.info(
      `Dependencies from ${host}: ${how === 'anonymous' ? 'no sign-in' : `signed in with the ${how === 'entra' ? 'Azure subscription (Entra ID)' : 'registry connection'}`}.`,
    );
  }
  await updateDependencies(runner, agentLogger, chart.path, registries);
}
