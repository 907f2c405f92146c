import {
  agentHelmRunner,
  agentLogger,
  setOutput,
  uploadSummary,
  readHelmRegistryAccess,
} from '../common/agent';
import { chartRegistry, locateHelm, probeHelm, publishChart, signInHelm } from '../common/helm';
import { readInputs } from './inputs';
import { isInsecureRegistry } from '../common/registry';
import { renderSummary } from './summary';

/** The title of the task's build summary section, and of the failure summary runTask uploads. */
export const SUMMARY_TITLE = 'Publish Helm chart';

export async function publishHelmChartTask(): Promise<void> {
  const options = readInputs();
  const { version, registry } = options;
  agentLogger.info(
    `Chart version ${version.version} (from ${version.source}${version.service ? `, service ${version.service}` : ''}).`,
  );
  const helm = await probeHelm(locateHelm(options.helmPath));
  agentLogger.info(`Helm ${helm.version.text} at ${helm.path}.`);
  // The connection is read once; Helm's login and the tag check share its sign-in (one exchange).
  const access = readHelmRegistryAccess(
    options.registryConnection,
    options.azureSubscription,
    options.insecureRegistries,
  );
  const runner = agentHelmRunner(helm, options.tempDirectory);
  try {
    const plainHttp = isInsecureRegistry(registry.host, options.insecureRegistries);
    const how = await signInHelm(
      { helm: runner, logins: access.client },
      registry.host,
      plainHttp,
      access.signIn,
    );
    agentLogger.info(
      `Registry ${registry.host}: ${how === 'anonymous' ? 'no sign-in' : `signed in with the ${how === 'entra' ? 'Azure subscription (Entra ID)' : 'registry connection'}`}${plainHttp ? ', plain HTTP' : ''}.`,
    );
    const result = await publishChart(
      { helm: runner, registry: chartRegistry(access.client, registry.host), logger: agentLogger },
      {
        chartDir: options.chartPath,
        version: version.version,
        ...(options.appVersion ? { appVersion: options.appVersion } : {}),
        updateDependencies: options.updateDependencies,
        registry,
        overwrite: options.overwrite,
        plainHttp,
      },
    );
    setOutput('chartReference', result.reference);
    setOutput('chartDigest', result.digest);
    uploadSummary(SUMMARY_TITLE, renderSummary(result, version, helm.version.text));
  } finally {
    access.client.close();
    runner.dispose();
  }
}
