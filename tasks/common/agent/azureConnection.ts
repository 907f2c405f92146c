// The Azure credential for an AzureRM connection input. Importing this module loads the Azure
// SDK: tasks that only may need it import it lazily.
import type { OidcRetryOptions } from '../azure';
import { type AzureConnectionCredential, createAzureCredential } from '../azure/credentialFactory';
import { readAzureRmConnection, readPipelineOidcContext } from './azureRmEndpoint';
import { requestDevOpsOidcToken } from './devOpsOidcToken';
import { agentLogger } from './logger';
import { readAgentNetworkOptions } from './network';
import { agentSecrets } from './secrets';

export { readAzureRmConnection, readPipelineOidcContext } from './azureRmEndpoint';

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
    oidcTokens: requestDevOpsOidcToken,
    oidcRetry: options.oidcRetry,
  });
}
