// The agent's network settings in azure-devops-node-api's terms (typed-rest-client applies them
// itself): the one place outside net/ that builds request options, because only the agent layer
// may import azure-devops-node-api.
import type { IRequestOptions } from 'azure-devops-node-api/interfaces/common/VsoBaseInterfaces';
import { bypassRegex, type NetworkOptions } from '../net';

/** The same settings for azure-devops-node-api (typed-rest-client applies them itself). */
export function devOpsRequestOptions(network: NetworkOptions): IRequestOptions {
  const options: IRequestOptions = {};
  if (network.proxy) {
    options.proxy = {
      proxyUrl: network.proxy.url,
      proxyUsername: network.proxy.username,
      proxyPassword: network.proxy.password,
      // typed-rest-client compiles these itself and throws on an invalid one: pass only valid ones.
      proxyBypassHosts: network.proxy.bypass.filter((p) => bypassRegex(p) !== undefined),
    };
  }
  const t = network.tls;
  // typed-rest-client takes PEM files only: a client certificate archive (PFX) is not passed on.
  if (t && (t.caFile || t.certFile)) {
    options.cert = { caFile: t.caFile, certFile: t.certFile, keyFile: t.keyFile, passphrase: t.passphrase };
  }
  if (t?.skipCertValidation) options.ignoreSslError = true;
  return options;
}
