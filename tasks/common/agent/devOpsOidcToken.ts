// The job's OIDC token for a service connection, asked of Azure DevOps through
// azure-devops-node-api (which applies the agent's proxy and certificates from the options given).
import { BearerCredentialHandler } from 'azure-devops-node-api/handlers/bearertoken';
import { TaskApi } from 'azure-devops-node-api/TaskApi';
import type { OidcTokenRequest } from '../azure';
import { devOpsRequestOptions } from './devOpsRequestOptions';

/**
 * One `createOidcToken` call (TaskApi), authenticated with the job's access token; undefined when
 * Azure DevOps answered without a token. Retries, caching and secrets are the caller's.
 */
export const requestDevOpsOidcToken: OidcTokenRequest = async (context, connectionId, network) => {
  const { collectionUri, accessToken, projectId, hubName, planId, jobId } = context;
  const api = new TaskApi(
    collectionUri,
    [new BearerCredentialHandler(accessToken, false)],
    devOpsRequestOptions(network),
    'release-guard-tasks',
  );
  const answer = await api.createOidcToken({}, projectId, hubName, planId, jobId, connectionId);
  return answer?.oidcToken || undefined;
};
