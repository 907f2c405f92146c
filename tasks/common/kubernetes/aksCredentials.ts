import type { TokenCredential } from '@azure/identity';
import { UserError } from '../errors';
import type { Logger, SecretRegistry } from '../log';
import {
  Transport,
  answerError,
  describeStatus,
  requestJson,
  retryPolicy,
  type AnswerSource,
  type TransportOptions,
} from '../net';
import { kubeconfigSecrets, kubeconfigYaml, parseKubeconfig, replaceKubeloginUsers } from './kubeconfig';

/** The Entra ID application of AKS's managed Entra integration (the audience kubelogin asks for). */
export const AKS_ENTRA_SERVER_SCOPE = '6dae42f8-4368-4678-94ff-3960e28e3630/.default';
const API_VERSION = '2024-05-01';

export interface AksCluster {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

export interface AksCredentialOptions {
  readonly cluster: AksCluster;
  /** listClusterAdminCredential instead of listClusterUserCredential. */
  readonly admin: boolean;
  /** `https://management.azure.com/` (with a trailing slash). */
  readonly resourceManagerUrl: string;
  /** The Resource Manager audience, `https://management.azure.com/.default`. */
  readonly managementScope: string;
  readonly credential: TokenCredential;
  readonly transport: TransportOptions;
  readonly logger: Logger;
  readonly secrets: SecretRegistry;
}

const clusterName = ({ cluster }: AksCredentialOptions) =>
  `AKS cluster '${cluster.name}' in resource group '${cluster.resourceGroup}' (subscription ${cluster.subscriptionId})`;

function armError(
  status: number,
  body: Buffer,
  contentType: string | undefined,
  options: AksCredentialOptions,
  source: AnswerSource,
): UserError {
  let detail = '';
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { code?: string; message?: string } };
    detail = [parsed.error?.code, parsed.error?.message].filter(Boolean).join(': ');
  } catch {
    detail = '';
  }
  const answered = detail ? `HTTP ${status}, ${detail}` : describeStatus(status, body, contentType);
  const hint =
    status === 404
      ? 'Check the resource group and cluster names.'
      : status === 403 || status === 401
        ? `The service connection's identity needs the 'Azure Kubernetes Service Cluster ${options.admin ? 'Admin' : 'User'} Role' on the cluster.`
        : status >= 500
          ? (source.check ?? '')
          : options.admin
            ? 'Admin credentials are refused when the cluster disables local accounts: turn off useClusterAdmin.'
            : '';
  return new UserError(`${source.service}: ${source.operation} failed (${answered}). ${hint}`.trim());
}

/**
 * A kubeconfig for an AKS cluster through Azure Resource Manager (listClusterUserCredential or
 * listClusterAdminCredential), as `az aks get-credentials` does. Where it would run kubelogin
 * (clusters with Entra ID integration), the user becomes a bearer token for AKS's Entra audience
 * from the same credential. Every credential in it is registered as a secret.
 */
export async function fetchAksKubeconfig(options: AksCredentialOptions): Promise<string> {
  const { cluster, secrets } = options;
  const action = options.admin ? 'listClusterAdminCredential' : 'listClusterUserCredential';
  const url = new URL(
    `subscriptions/${encodeURIComponent(cluster.subscriptionId)}/resourceGroups/${encodeURIComponent(cluster.resourceGroup)}` +
      `/providers/Microsoft.ContainerService/managedClusters/${encodeURIComponent(cluster.name)}/${action}?api-version=${API_VERSION}`,
    options.resourceManagerUrl,
  );
  const armToken = await options.credential.getToken(options.managementScope);
  if (!armToken) throw new UserError(`No Entra ID token was returned for ${options.managementScope}.`);
  secrets.register(armToken.token);
  const transport = new Transport(options.transport, retryPolicy(), options.logger);
  const source: AnswerSource = {
    service: `Azure Resource Manager ${url.host}`,
    operation: `${action} for ${clusterName(options)}`,
    check: `Check the connection's cloud (Resource Manager URL ${options.resourceManagerUrl}) and any proxy or firewall between the agent and it.`,
  };
  const answer = (await requestJson(
    transport,
    {
      method: 'POST',
      url,
      headers: {
        authorization: `Bearer ${armToken.token}`,
        accept: 'application/json',
        'content-length': '0',
      },
      body: Buffer.alloc(0),
    },
    { ...source, carriesCredentials: true },
    {
      limit: 4 * 1024 * 1024,
      refused: (status, body, contentType) => armError(status, body, contentType, options, source),
    },
  )) as { kubeconfigs?: { name?: string; value?: string }[] };
  const value = answer.kubeconfigs?.[0]?.value;
  if (typeof value !== 'string' || !value) throw answerError(source, 'the answer holds no kubeconfig');
  const text = Buffer.from(value, 'base64').toString('utf8');
  const config = parseKubeconfig(text, `The kubeconfig of AKS cluster '${cluster.name}'`);
  kubeconfigSecrets(config).forEach((s) => secrets.register(s));
  const needsEntra = JSON.stringify(config['users'] ?? []).includes('kubelogin');
  if (!needsEntra) return text;
  const aksToken = await options.credential.getToken(AKS_ENTRA_SERVER_SCOPE);
  if (!aksToken) throw new UserError(`No Entra ID token was returned for AKS (${AKS_ENTRA_SERVER_SCOPE}).`);
  secrets.register(aksToken.token);
  const replaced = replaceKubeloginUsers(config, aksToken.token);
  options.logger.debug(`AKS kubeconfig: ${replaced} kubelogin user(s) replaced by an Entra ID token.`);
  return kubeconfigYaml(config);
}
