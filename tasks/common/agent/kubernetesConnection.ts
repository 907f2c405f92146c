// Kubernetes service connections, read from the agent into the kubeconfig Helm uses; every
// secret (token, certificates, the kubeconfig's credentials) registered on read.
import * as tl from 'azure-pipelines-task-lib/task';
import { UserError } from '../errors';
import {
  kubeconfigSecrets,
  kubeconfigYaml,
  parseKubeconfig,
  serviceAccountKubeconfig,
  skipTlsVerify,
} from '../kubernetes/kubeconfig';
import { registerSecret } from './secrets';

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

/** The connection's authorization parameters, read once and silently, keys in lower case. */
function endpointParameters(id: string): Record<string, string> {
  const auth = tl.getEndpointAuthorization(id, true);
  if (!auth) {
    throw new UserError(
      `Kubernetes service connection '${id}' is not available to this job: check that the pipeline may use it.`,
    );
  }
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(auth.parameters ?? {}))
    if (value) params[key.toLowerCase()] = value;
  return params;
}

/**
 * A `connectedService:kubernetes` endpoint as a kubeconfig: the connection's own (Kubeconfig), or
 * one built from its API server, service account token and CA (ServiceAccount, AzureSubscription).
 */
export function readKubernetesConnection(id: string): ClusterAccess {
  const params = endpointParameters(id);
  const type = tl.getEndpointDataParameter(id, 'authorizationType', true) || 'Kubeconfig';
  const untrusted = (params['acceptuntrustedcerts'] ?? '').toLowerCase() === 'true';
  const namespace = tl.getEndpointDataParameter(id, 'namespace', true) || undefined;
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
  const server = tl.getEndpointUrl(id, true);
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

/** The subscription an AzureRM connection names (its `subscriptionId` data), or undefined. */
export function azureSubscriptionId(connectionId: string): string | undefined {
  return tl.getEndpointDataParameter(connectionId, 'subscriptionId', true) || undefined;
}
