import { readHelmRegistryAccess, type HelmRegistryAccess, agentLogger } from '../common/agent';
import {
  type ChartSource,
  type DependencyRegistries,
  dependencyRegistries,
  updateDependencies,
  type HelmRunner,
  signInHelm,
} from '../common/helm';
import { isInsecureRegistry } from '../common/registry';
import type { DeployHelmChartInputs } from './inputs';

/** The registry sign-in inputs, read once when a registry first needs them; close() when done. */
export interface ChartRegistryAccess {
  readonly get: () => HelmRegistryAccess;
  readonly close: () => void;
}

/**
 * One registry client for the run's registry questions: Helm's logins (the chart, its OCI
 * dependencies) and the images `verifyImages` checks. Credentials go only where they belong: the
 * registry connection to its own host, Entra ID to ACR, else the agent's Docker config or anonymous.
 */
export function chartRegistryAccess(options: DeployHelmChartInputs): ChartRegistryAccess {
  let access: HelmRegistryAccess | undefined;
  return {
    get: () =>
      (access ??= readHelmRegistryAccess(
        options.registryConnection,
        options.registryAzureSubscription,
        options.insecureRegistries,
      )),
    close: () => access?.client.close(),
  };
}

/**
 * Before an upgrade or diff: signs Helm in to the chart's OCI registry and updates a chart folder's
 * dependencies (one ACR exchange per registry, through the run's registry access).
 */
export async function prepareChart(
  runner: HelmRunner,
  options: DeployHelmChartInputs,
  chart: ChartSource,
  plainHttp: boolean,
  access: ChartRegistryAccess,
): Promise<void> {
  if (chart.kind === 'oci') {
    const { client, signIn } = access.get();
    await signInHelm({ helm: runner, logins: client }, chart.location.host, plainHttp, signIn);
  }
  await updateChartDependencies(runner, options, access.get);
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
  // No OCI dependency: no connection to read, no client to build.
  if (registries.hosts.length > 0) await signInDependencies(runner, registries, registryAccess());
  await updateDependencies(runner, agentLogger, chart.path, registries);
}

/** Signs Helm in to each registry of the dependencies: the registry connection at its own host, Entra ID at any other. */
async function signInDependencies(
  runner: HelmRunner,
  registries: DependencyRegistries,
  { client, signIn }: HelmRegistryAccess,
): Promise<void> {
  const deps = { helm: runner, logins: client };
  for (const host of registries.hosts) {
    const own = !signIn.connection || signIn.connection.host === host;
    const how = await signInHelm(deps, host, registries.plainHttp, own ? signIn : { entra: signIn.entra });
    agentLogger.info(
      `Dependencies from ${host}: ${how === 'anonymous' ? 'no sign-in' : `signed in with the ${how === 'entra' ? 'Azure subscription (Entra ID)' : 'registry connection'}`}.`,
    );
  }
}
