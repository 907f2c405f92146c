// Reads AzureRM service connections and the job's OIDC context from the agent, registering every
// secret on read. Kept apart from the credential factory so reading loads no Azure SDK.
import * as tl from 'azure-pipelines-task-lib/task';
import { type AzureRmConnection, isSecretParameter, type PipelineOidcContext } from '../azure';
import { UserError } from '../errors';
import { registerSecret } from './secrets';

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
    if (isSecretParameter(key)) registerSecret(value);
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
