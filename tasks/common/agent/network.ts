import * as tl from 'azure-pipelines-task-lib/task';
import {
  httpSettings,
  type HttpSettings,
  type NetworkOptions,
  type ProxySettings,
  type TlsSettings,
} from '../net';
import { UserError, errorMessage } from '../errors';
import { registerSecret } from './secrets';

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

let network: NetworkOptions | undefined;

/**
 * The agent's proxy and certificate settings as plain options, read once per run (passwords
 * registered as secrets).
 */
export function readAgentNetworkOptions(): NetworkOptions {
  network ??= { proxy: readProxy(), tls: readTls() };
  return network;
}

/**
 * The agent's settings with their files read (CA, client certificate), for the registry
 * transport, Helm's sign-in, ARM and Kubernetes calls; read once per run (httpSettings keeps them).
 */
export function agentHttpSettings(): HttpSettings {
  return httpSettings(readAgentNetworkOptions());
}
