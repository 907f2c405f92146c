import fs from 'node:fs';
import {
  agentHttpSettings,
  azureConnectionCredential,
  agentLogger,
  agentSecrets,
  registerSecret,
  azureSubscriptionId,
  readKubernetesConnection,
} from '../common/agent';
import { UserError } from '../common/errors';
import type { HelmRunner } from '../common/helm';
import {
  fetchAksKubeconfig,
  kubeconfigSecrets,
  kubeconfigYaml,
  parseKubeconfig,
  serviceAccountKubeconfig,
  skipTlsVerify,
} from '../common/kubernetes';
import type { ClusterInput } from './inputs';

/** How Helm reaches the cluster. */
export interface ClusterAccess {
  /** The kubeconfig's text, for reading events after a failure. */
  readonly kubeconfig: string;
  /** `--kube-context`, when the connection names one. */
  readonly context?: string;
  /** The namespace of the connection (AzureSubscription connections carry one), else undefined. */
  readonly namespace?: string;
  /** For the log: `Kubernetes service connection 'x' (ServiceAccount)`. */
  readonly description: string;
}

/**
 * A `connectedService:kubernetes` endpoint as a kubeconfig: the connection's own (Kubeconfig), or
 * one built from its API server, service account token and CA (ServiceAccount, AzureSubscription).
 */
function fromKubernetesConnection(id: string): ClusterAccess {
  const connection = readKubernetesConnection(id);
  const { type, parameters: params, namespace } = connection;
  const untrusted = (params['acceptuntrustedcerts'] ?? '').toLowerCase() === 'true';
  const description = `Kubernetes service connection '${id}' (${type})`;
  if (type.toLowerCase() === 'kubeconfig') {
    const text = params['kubeconfig'];
    if (!text) throw new UserError(`${description} has no kubeconfig.`);
    const config = parseKubeconfig(text, `The kubeconfig of ${description}`);
    kubeconfigSecrets(config).forEach(registerSecret);
    const context = params['clustercontext'] || undefined;
    const final = untrusted ? kubeconfigYaml(skipTlsVerify(config)) : text;
    return { kubeconfig: final, ...(context ? { context } : {}), description };
  }
  // ServiceAccount, and AzureSubscription connections (which hold a service account made when the
  // connection was created): the API server URL, a base64 token and the cluster's CA certificate.
  const apiToken = params['apitoken'];
  if (!apiToken) throw new UserError(`${description} has no service account token (apiToken).`);
  registerSecret(apiToken);
  const server = connection.serverUrl;
  if (!server) throw new UserError(`${description} has no API server URL.`);
  const { config, token } = serviceAccountKubeconfig({
    server,
    apiTokenBase64: apiToken,
    ...(params['serviceaccountcertificate'] ? { certificate: params['serviceaccountcertificate'] } : {}),
    ...(namespace ? { namespace } : {}),
  });
  registerSecret(token);
  const text = kubeconfigYaml(untrusted ? skipTlsVerify(config) : config);
  return { kubeconfig: text, ...(namespace ? { namespace } : {}), description };
}

async function fromAzureResourceManager(
  input: Extract<ClusterInput, { type: 'azureResourceManager' }>,
): Promise<ClusterAccess> {
  // The Azure SDK is loaded only for an AKS cluster.
  const azure = await azureConnectionCredential(input.azureSubscription);
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
    transport: agentHttpSettings(),
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
      ? fromKubernetesConnection(input.connection)
      : await fromAzureResourceManager(input);
  const file = helm.privatePath('kubeconfig');
  fs.writeFileSync(file, access.kubeconfig, { mode: 0o600 });
  helm.setEnv('KUBECONFIG', file);
  return access;
}
