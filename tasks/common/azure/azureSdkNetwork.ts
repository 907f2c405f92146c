import type { TokenCredentialOptions } from '@azure/identity';
import { AgentHttpAgents, type NetworkOptions } from './agentNetwork';

type AdditionalPolicy = NonNullable<TokenCredentialOptions['additionalPolicies']>[number];

/** Options every Azure SDK credential and client accepts (CommonClientOptions). */
export interface AzureSdkNetworkOptions {
  readonly additionalPolicies: AdditionalPolicy[];
}

/**
 * Makes the Azure SDK (credentials and clients alike) honour the agent's proxy, bypass list, CA
 * and client certificate. The SDK's own `proxyOptions` cannot do it: it knows no bypass regexes
 * and drops `tlsOptions` when a proxy is set. This per-call policy runs after the SDK's proxy
 * policy and gives each request the Node agent its URL needs; where the agent has no settings it
 * leaves the request alone (so NODE_EXTRA_CA_CERTS and HTTPS_PROXY keep working).
 * ManagedIdentityCredential replaces additional policies with its own; it only talks plain http
 * to a local endpoint, which never goes through the proxy anyway.
 */
export function azureSdkNetworkOptions(network: NetworkOptions): AzureSdkNetworkOptions {
  if (!network.proxy && !network.tls) return { additionalPolicies: [] };
  const agents = new AgentHttpAgents(network);
  return {
    additionalPolicies: [
      {
        position: 'perCall',
        policy: {
          name: 'releaseGuardAgentNetwork',
          sendRequest(request, next) {
            const agent = agents.agentFor(request.url);
            if (agent) request.agent = agent;
            return next(request);
          },
        },
      },
    ],
  };
}
