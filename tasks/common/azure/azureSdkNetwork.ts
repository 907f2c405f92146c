import type { TokenCredentialOptions } from '@azure/identity';
import { errorMessage } from '../errors';
import { AgentHttpAgents, type NetworkOptions } from './agentNetwork';

type AdditionalPolicy = NonNullable<TokenCredentialOptions['additionalPolicies']>[number];

/** Options every Azure SDK credential and client accepts (CommonClientOptions). */
export interface AzureSdkNetworkOptions {
  readonly additionalPolicies: AdditionalPolicy[];
}

/** The last request that failed without an HTTP answer (refused, proxy 407, TLS...). */
export interface NetworkFailure {
  readonly url: string;
  readonly message: string;
}

export interface AzureSdkNetwork {
  /** Give these to every Azure SDK credential and client. */
  readonly clientOptions: AzureSdkNetworkOptions;
  /**
   * MSAL reports any failure to read the authority's metadata as a bare
   * `endpoints_resolution_error`; this keeps the underlying reason for the error message.
   */
  lastFailure(): NetworkFailure | undefined;
  clearFailure(): void;
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
export function createAzureSdkNetwork(network: NetworkOptions): AzureSdkNetwork {
  const agents = network.proxy || network.tls ? new AgentHttpAgents(network) : undefined;
  let failure: NetworkFailure | undefined;
  const policy: AdditionalPolicy = {
    position: 'perCall',
    policy: {
      name: 'releaseGuardAgentNetwork',
      async sendRequest(request, next) {
        const agent = agents?.agentFor(request.url);
        if (agent) request.agent = agent;
        try {
          return await next(request);
        } catch (err) {
          failure = { url: request.url.split('?')[0] ?? request.url, message: errorMessage(err) };
          throw err;
        }
      },
    },
  };
  return {
    clientOptions: { additionalPolicies: [policy] },
    lastFailure: () => failure,
    clearFailure: () => {
      failure = undefined;
    },
  };
}
