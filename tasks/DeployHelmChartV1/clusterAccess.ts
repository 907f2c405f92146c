import fs from 'node:fs';
import {
  readAgentNetworkOptions,
  agentLogger,
  registryTransportOptions,
  agentSecrets,
  registerSecret,
  azureSubscriptionId,
  readKubernetesConnection,
  type ClusterAccess,
} from '../common/agent';
import { UserError } from '../common/errors';
import { fetchAksKubeconfig } from '../common/kubernetes/aksCredentials';
import type { HelmRunner } from '../common/helm';
import { kubeconfigSecrets, parseKubeconfig } from '../common/kubernetes/kubeconfig';
import type { ClusterInput } from './inputs';

export type { ClusterAccess };

async function fromAzureResourceManager(
  input: Extract<ClusterInput, { type: 'azureResourceManager' }>,
): Promise<ClusterAccess> {
  // The Azure SDK is loaded only for an AKS cluster.
  const { azureCredentialFromConnection } = await import('../common/agent/azureConnection.js');
  const azure = azureCredentialFromConnection(input.azureSubscription);
  const subscriptionId = azureSubscriptionId(input.azureSubscription);
  if (!subscriptionId)
    throw new UserError(`Azure service connection '${input.azureSubscription}' names no subscription.`);
  if (!azure.cloud.resourceManagerUrl || !azure.cloud.managementScope) {
    throw new UserError(`Azure service connection '${input.azureSubscription}' has no Resource Manager URL.`);
  }
  const text = await fetchAksKubeconfig({
    cluster: { subscriptionId, resourceGroup: input.resourceGroup, name: input.cluster },
    admin: input.useClusterAdmin,
    resourceManagerUrl: azure.cloud.resourceManagerUrl,
    managementScope: azure.cloud.managementScope,
    credential: azure.credential,
    transport: registryTransportOptions(readAgentNetworkOptions()),
    logger: agentLogger,
    secrets: agentSecrets,
  });
  const description = `AKS cluster '${input.cluster}' (resource group ${input.resourceGroup}) through ${azure.connectionLabel}${input.useClusterAdmin ? ', admin credentials' : ''}`;
  return { kubeconfig: text, description };
}

/**
 * Gives Helm a kubeconfig: one built from the connection and written to the runner's private
 * folder (mode 0600, removed with it), or the user's own file as it is.
 */
export async function prepareClusterAccess(input: ClusterInput, helm: HelmRunner): Promise<ClusterAccess> {
  if (input.type === 'kubeconfig') {
    if (!fs.existsSync(input.file)) throw new UserError(`The kubeconfig file ${input.file} does not exist.`);
    const text = fs.readFileSync(input.file, 'utf8');
    kubeconfigSecrets(parseKubeconfig(text, `The kubeconfig ${input.file}`)).forEach(registerSecret);
    helm.setEnv('KUBECONFIG', input.file);
    return { kubeconfig: text, description: `kubeconfig ${input.file}` };
  }
  const access =
    input.type === 'kubernetesServiceConnection'
      ? readKubernetesConnection(input.connection)
      : await fromAzureResourceManager(input);
  const file = helm.privatePath('kubeconfig');
  fs.writeFileSync(file, access.kubeconfig, { mode: 0o600 });
  helm.setEnv('KUBECONFIG', file);
  return access;
}
