import fs from 'node:fs';
import type { NetworkOptions } from '../net/agentNetwork';
import { UserError } from '../errors';
import { RegistryClient } from '../registry/client';
import type { TransportOptions } from '../net/transport';
import { entraRegistryCredential } from './entraRegistryCredential';
import { readAgentNetworkOptions } from './network';
import { agentLogger } from './logger';
import { credentialResolver, readRegistryConnection, type CredentialSources } from './registryConnections';
import { agentSecrets } from './secrets';

export interface RegistryAccess {
  /** `connectedService:dockerregistry` ids; earlier ones win for the same host. */
  readonly registryConnections: readonly (string | undefined)[];
  /** `connectedService:AzureRM` id: Entra ID sign-in for hosts no registry connection covers. */
  readonly azureSubscription?: string;
  readonly insecureRegistries: readonly string[];
}

function readPem(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`The agent's ${what} ${file} cannot be read (${(err as Error).message}).`);
  }
}

/** The agent's proxy and certificate settings, in the registry transport's terms. */
export function registryTransportOptions(network: NetworkOptions): TransportOptions {
  const { proxy, tls } = network;
  return {
    proxy: proxy && {
      url: proxy.url,
      username: proxy.username,
      password: proxy.password,
      bypass: proxy.bypass.map((pattern) => new RegExp(pattern, 'i')),
    },
    ca: tls?.caFile ? readPem(tls.caFile, 'CA file (Agent.CAInfo)') : undefined,
    rejectUnauthorized: tls?.skipCertValidation ? false : undefined,
    clientCert:
      tls?.certFile && tls.keyFile
        ? {
            cert: readPem(tls.certFile, 'client certificate'),
            key: readPem(tls.keyFile, 'client key'),
            passphrase: tls.passphrase,
          }
        : undefined,
  };
}

/** One registry client for the task's run, signed in the way the task's inputs say. */
export function createRegistryClient(access: RegistryAccess): RegistryClient {
  const connections = access.registryConnections
    .filter((id): id is string => id !== undefined)
    .map(readRegistryConnection);
  const entra = access.azureSubscription ? entraRegistryCredential(access.azureSubscription) : undefined;
  return registryClientFor({ connections, ...(entra ? { entra } : {}) }, access.insecureRegistries);
}

/** A registry client over connections already read (each read once per run, its secrets registered). */
export function registryClientFor(
  sources: CredentialSources,
  insecureRegistries: readonly string[],
): RegistryClient {
  return new RegistryClient({
    credentials: credentialResolver(sources),
    insecureRegistries,
    transport: registryTransportOptions(readAgentNetworkOptions()),
    logger: agentLogger,
    secrets: agentSecrets,
  });
}
