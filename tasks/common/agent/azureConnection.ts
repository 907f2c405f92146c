import * as tl from 'azure-pipelines-task-lib/task';
import type { NetworkOptions, ProxySettings, TlsSettings } from '../azure/agentNetwork';
import { type AzureRmConnection, isSecretParameter } from '../azure/connection';
import { type AzureConnectionCredential, createAzureCredential } from '../azure/credentialFactory';
import type { OidcRetryOptions, PipelineOidcContext } from '../azure/pipelineOidcAssertion';
import { UserError, errorMessage } from '../errors';
import { agentLogger } from './logger';
import { agentSecrets, registerSecret } from './secrets';

/**
 * Registers a possibly multi-line secret line by line (the agent masks line by line, and
 * task-lib's setSecret refuses a value with a line break).
 */
function registerSecretLines(value: string | undefined): void {
  for (const line of (value ?? '').split(/\r?\n/)) registerSecret(line.trim());
}

/** Endpoint data keys of an AzureRM connection the library uses (none is secret). */
const AZURE_RM_DATA_KEYS = [
  'environment',
  'subscriptionId',
  'subscriptionName',
  'scopeLevel',
  'managementGroupId',
  'managementGroupName',
  'activeDirectoryAuthority',
  'environmentAuthorityUrl',
  'resourceManagerUrl',
  'activeDirectoryServiceEndpointResourceId',
  'AzureKeyVaultDnsSuffix',
  'AzureKeyVaultServiceEndpointResourceId',
  'EnableAdfsAuthentication',
  'msiclientId',
] as const;

/**
 * Reads a `connectedService:AzureRM` endpoint by id. The authorization is read whole (task-lib's
 * per-parameter getter writes values to the debug log) and every secret parameter (client
 * secret, certificate PEM and each of its lines, anything not known to be an identifier) is
 * registered with the agent before anything else happens.
 */
export function readAzureRmConnection(id: string): AzureRmConnection {
  const auth = tl.getEndpointAuthorization(id, true);
  if (!auth) {
    throw new UserError(
      `Azure service connection '${id}' is not available to this job: check the task input names an Azure Resource Manager ` +
        'service connection and that the pipeline is authorized to use it.',
    );
  }
  const parameters: Record<string, string | undefined> = { ...(auth.parameters ?? {}) };
  for (const [key, value] of Object.entries(parameters)) {
    if (isSecretParameter(key)) registerSecretLines(value);
  }
  const data: Record<string, string | undefined> = {};
  for (const key of AZURE_RM_DATA_KEYS) {
    const value = tl.getEndpointDataParameter(id, key, true);
    if (value) data[key] = value;
  }
  return {
    id,
    url: tl.getEndpointUrl(id, true) || undefined,
    scheme: auth.scheme ?? tl.getEndpointAuthorizationScheme(id, true) ?? '',
    parameters,
    data,
  };
}

/**
 * What the job needs to ask Azure DevOps for an OIDC token: System.* variables and the
 * SystemVssConnection access token (registered as a secret on read). Undefined when any of them
 * is missing (the agent always hands them to tasks; a hand-made environment may not).
 */
export function readPipelineOidcContext(): PipelineOidcContext | undefined {
  const auth = tl.getEndpointAuthorization('SystemVssConnection', true);
  const accessToken = auth?.parameters?.['AccessToken'];
  registerSecret(accessToken);
  const collectionUri =
    tl.getVariable('System.CollectionUri') || tl.getEndpointUrl('SystemVssConnection', true);
  const projectId = tl.getVariable('System.TeamProjectId');
  const hubName = tl.getVariable('System.HostType');
  const planId = tl.getVariable('System.PlanId');
  const jobId = tl.getVariable('System.JobId');
  if (!accessToken || !collectionUri || !projectId || !hubName || !planId || !jobId) return undefined;
  return { collectionUri, projectId, hubName, planId, jobId, accessToken };
}

function readProxy(): ProxySettings | undefined {
  let config: tl.ProxyConfiguration | null;
  try {
    config = tl.getHttpProxyConfiguration();
  } catch (err) {
    throw new UserError(
      `The agent's proxy settings are invalid (Agent.ProxyBypassList must be a JSON array): ${errorMessage(err)}`,
    );
  }
  if (!config?.proxyUrl) return undefined;
  registerSecret(config.proxyPassword);
  return {
    url: config.proxyUrl,
    username: config.proxyUsername || undefined,
    password: config.proxyPassword || undefined,
    bypass: config.proxyBypassHosts ?? [],
  };
}

function readTls(): TlsSettings | undefined {
  const config = tl.getHttpCertConfiguration();
  registerSecret(config?.passphrase);
  const skipCertValidation = (tl.getVariable('Agent.SkipCertValidation') ?? '').toLowerCase() === 'true';
  if (!config && !skipCertValidation) return undefined;
  return {
    caFile: config?.caFile || undefined,
    certFile: config?.certFile || undefined,
    keyFile: config?.keyFile || undefined,
    certArchiveFile: config?.certArchiveFile || undefined,
    passphrase: config?.passphrase || undefined,
    skipCertValidation,
  };
}

/** The agent's proxy and certificate settings as plain options (passwords registered as secrets). */
export function readAgentNetworkOptions(): NetworkOptions {
  return { proxy: readProxy(), tls: readTls() };
}

/** The credential for the AzureRM connection a task input names, with the agent's network settings. */
export function azureCredentialFromConnection(
  connectionId: string,
  options: { oidcRetry?: OidcRetryOptions } = {},
): AzureConnectionCredential {
  const connection = readAzureRmConnection(connectionId);
  const federated = connection.scheme.toLowerCase() === 'workloadidentityfederation';
  return createAzureCredential(connection, {
    network: readAgentNetworkOptions(),
    secrets: agentSecrets,
    logger: agentLogger,
    oidc: federated ? readPipelineOidcContext() : undefined,
    oidcRetry: options.oidcRetry,
  });
}
