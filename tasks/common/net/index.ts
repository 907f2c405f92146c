// The HTTP foundation: what every remote call of the library (registries, Helm's sign-in, Azure
// Resource Manager, Entra ID, Key Vault, Kubernetes, Azure DevOps) is built on. The agent's
// network settings in one builder, one transport, one retry policy, one concurrency limiter and
// one reader of remote answers. Nothing here knows the agent or any service above it.
export {
  AgentHttpAgents,
  bypassRegex,
  httpSettings,
  isProxyBypassed,
  tlsAgentOptions,
  type ClientCertificate,
  type HttpSettings,
  type NetworkOptions,
  type ProxySettings,
  type TlsSettings,
} from './agentNetwork';
export { requestJson } from './jsonRequest';
export { ConcurrencyLimit, WorkQueue, mapLimit } from './limiter';
export { proxyTunnelAgent } from './proxyTunnelAgent';
export {
  answerError,
  cutOffProblem,
  describeStatus,
  isCutOffAnswer,
  isHtml,
  jsonAnswerProblem,
  parseJsonAnswer,
  readAnswer,
  readJsonAnswer,
  stopsMidJson,
  type AnswerSource,
} from './remoteAnswer';
export {
  CUT_OFF_BODY_RETRIES,
  KEY_VAULT_RETRY,
  OIDC_RETRY,
  backoffDelay,
  doublingDelay,
  isRetryableNetworkError,
  isRetryableStatus,
  parseRetryAfter,
  retryPolicy,
  sleep,
  type OidcRetryOptions,
  type RetryPolicy,
} from './retry';
export {
  Transport,
  TransportError,
  discard,
  readBody,
  type BodySource,
  type HttpRequest,
  type HttpResponse,
  type TransportOptions,
} from './transport';
export { hasExtraCas, trustedCaPems } from './trustedCas';
