// Kubernetes service connections and the AKS subscription, as the agent hands them to a task.
import * as tl from 'azure-pipelines-task-lib/task';
import { UserError } from '../errors';

/** A `connectedService:kubernetes` endpoint, read once and silently. */
export interface KubernetesConnection {
  readonly id: string;
  /** `authorizationType`: Kubeconfig (default), ServiceAccount or AzureSubscription. */
  readonly type: string;
  /** Authorization parameters, keys in lower case (kubeconfig, apitoken, clustercontext...). */
  readonly parameters: Readonly<Record<string, string>>;
  /** The connection's namespace (AzureSubscription connections carry one). */
  readonly namespace?: string;
  /** The endpoint URL: the API server of a ServiceAccount or AzureSubscription connection. */
  readonly serverUrl?: string;
}

/**
 * Reads a Kubernetes service connection. Its secrets are registered by the caller as it takes
 * them apart (the kubeconfig's credentials, the service account token and its decoded form).
 */
export function readKubernetesConnection(id: string): KubernetesConnection {
  const auth = tl.getEndpointAuthorization(id, true);
  if (!auth) {
    throw new UserError(
      `Kubernetes service connection '${id}' is not available to this job: check that the pipeline may use it.`,
    );
  }
  const parameters: Record<string, string> = {};
  for (const [key, value] of Object.entries(auth.parameters ?? {}))
    if (value) parameters[key.toLowerCase()] = value;
  const type = tl.getEndpointDataParameter(id, 'authorizationType', true) || 'Kubeconfig';
  const namespace = tl.getEndpointDataParameter(id, 'namespace', true) || undefined;
  const serverUrl = tl.getEndpointUrl(id, true) || undefined;
  return { id, type, parameters, ...(namespace ? { namespace } : {}), ...(serverUrl ? { serverUrl } : {}) };
}

/** The subscription an AzureRM connection names (its `subscriptionId` data), or undefined. */
export function azureSubscriptionId(connectionId: string): string | undefined {
  return tl.getEndpointDataParameter(connectionId, 'subscriptionId', true) || undefined;
}
