import type { TokenCredentialOptions } from '@azure/identity';
import { errorMessage } from '../errors';
import { AgentHttpAgents, cutOffProblem, jsonAnswerProblem, type NetworkOptions } from '../net';

type AdditionalPolicy = NonNullable<TokenCredentialOptions['additionalPolicies']>[number];
type PipelineResponse = Awaited<ReturnType<AdditionalPolicy['policy']['sendRequest']>>;

/** Options every Azure SDK credential and client accepts (CommonClientOptions). */
export interface AzureSdkNetworkOptions {
  readonly additionalPolicies: AdditionalPolicy[];
}

/** The last request that failed without an HTTP answer (refused, proxy 407, TLS...) or with an unusable one. */
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
        const url = request.url.split('?')[0] ?? request.url;
        try {
          const response = await next(request);
          // An HTML page or other non-JSON answer (a proxy's) reaches MSAL as a bare resolution error.
          const problem = jsonAnswerProblem(
            response.status,
            response.bodyAsText ?? undefined,
            response.headers.get('content-type'),
          );
          if (problem) failure = { url, message: problem };
          return response;
        } catch (err) {
          // The SDK's parse errors carry the whole body in their message: describe it instead.
          const response = (err as { response?: PipelineResponse } | null)?.response;
          const problem =
            cutOffProblem(err) ??
            (response
              ? jsonAnswerProblem(
                  response.status,
                  response.bodyAsText ?? undefined,
                  response.headers.get('content-type'),
                )
              : undefined);
          failure = { url, message: problem ?? errorMessage(err).slice(0, 500) };
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
