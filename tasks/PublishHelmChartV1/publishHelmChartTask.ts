import { agentLogger } from '../common/agent/logger';
import { agentHttpSettings } from '../common/agent/network';
import { createRegistryClient } from '../common/agent/registryClient';
import { agentSecrets } from '../common/agent/secrets';
import { setOutput, uploadSummary } from '../common/agent/summary';
import { chartRegistry } from '../common/helm/chartRegistry';
import { locateHelm, probeHelm } from '../common/helm/findHelm';
import { HelmRunner } from '../common/helm/helmRunner';
import { helmProxyEnvironment } from '../common/helm/proxyEnvironment';
import { publishChart } from '../common/helm/publishChart';
import { usesPlainHttp } from '../common/helm/registryLogin';
import { signInHelm } from '../common/helm/registrySignIn';
import { readInputs } from './inputs';
import { readHelmRegistrySignIn } from '../common/agent/helmRegistrySignIn';
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
  const transport = agentHttpSettings();
  const runner = new HelmRunner({
    helm,
    logger: agentLogger,
    tempRoot: options.tempDirectory,
    baseEnv: { ...process.env, ...helmProxyEnvironment(transport.proxy) },
    ...(transport.ca ? { agentCaPem: transport.ca } : {}),
  });
  try {
    const plainHttp = usesPlainHttp(registry.host, options.insecureRegistries);
    const signIn = readHelmRegistrySignIn(options.registryConnection, options.azureSubscription);
    const how = await signInHelm(
      {
        helm: runner,
        transport,
        logger: agentLogger,
        secrets: agentSecrets,
      },
      registry.host,
      plainHttp,
      signIn,
    );
    agentLogger.info(
      `Registry ${registry.host}: ${how === 'anonymous' ? 'no sign-in' : `signed in with the ${how === 'entra' ? 'Azure subscription (Entra ID)' : 'registry connection'}`}${plainHttp ? ', plain HTTP' : ''}.`,
    );
    const client = createRegistryClient({
      registryConnections: [options.registryConnection],
      azureSubscription: options.azureSubscription,
      insecureRegistries: options.insecureRegistries,
    });
    const result = await publishChart(
      { helm: runner, registry: chartRegistry(client, registry.host), logger: agentLogger },
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
    runner.dispose();
  }
}
