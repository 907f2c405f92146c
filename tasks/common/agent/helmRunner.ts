// Helm run as the agent runs tools: the agent's proxy in Helm's environment (never its argv) and
// the agent's CA trusted for registries, in a private folder under the agent's temp directory.
import { HelmRunner, helmProxyEnvironment, type HelmBinary } from '../helm';
import { agentLogger } from './logger';
import { agentHttpSettings } from './network';

export function agentHelmRunner(helm: HelmBinary, tempRoot: string | undefined): HelmRunner {
  const network = agentHttpSettings();
  return new HelmRunner({
    helm,
    logger: agentLogger,
    ...(tempRoot !== undefined ? { tempRoot } : {}),
    baseEnv: { ...process.env, ...helmProxyEnvironment(network.proxy) },
    ...(network.ca ? { agentCaPem: network.ca } : {}),
  });
}
