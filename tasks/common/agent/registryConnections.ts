import os from 'node:os';
import path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { UserError } from '../errors';
import {
  DockerConfigCredentials,
  configKeyHost,
  type CredentialResolver,
  type RegistryCredential,
} from '../registry';
import { entraRegistryCredential } from './entraRegistryCredential';
import { registerSecret, agentSecrets } from './secrets';

/** Authorization parameters of a Docker registry connection that are secrets (lower case). */
const SECRET_KEYS = ['password', 'serviceprincipalkey', 'accesstoken', 'idtoken'];

/** A Docker registry service connection, reduced to the host it covers and how to sign in there. */
export interface RegistryConnection {
  readonly id: string;
  readonly host: string;
  readonly credential: RegistryCredential;
}

/**
 * The connection's authorization parameters, read once and silently: task-lib's
 * getEndpointAuthorizationParameter writes each value to the debug log.
 */
function authParameters(id: string): { scheme: string; params: Record<string, string> } | undefined {
  const auth = tl.getEndpointAuthorization(id, true);
  if (!auth) return undefined;
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(auth.parameters ?? {})) {
    if (value) params[key.toLowerCase()] = value;
  }
  return { scheme: auth.scheme, params };
}

function requireParam(id: string, params: Record<string, string>, key: string, what: string): string {
  const value = params[key.toLowerCase()];
  if (!value) {
    throw new UserError(
      `Docker registry service connection '${id}' has no ${what} ('${key}'). Edit the service connection.`,
    );
  }
  return value;
}

/** Host of a registry URL or bare host (`https://index.docker.io/v1/` is docker.io). */
export function registryHost(urlOrHost: string): string {
  return configKeyHost(urlOrHost.trim());
}

/** Reads a `connectedService:dockerregistry` endpoint; every secret is registered before use. */
export function readRegistryConnection(id: string): RegistryConnection {
  const auth = authParameters(id);
  if (!auth)
    throw new UserError(
      `Docker registry service connection '${id}' was not found; check the input names an existing connection the pipeline is allowed to use.`,
    );
  const { scheme, params } = auth;
  for (const key of SECRET_KEYS) registerSecret(params[key]);
  const registryType = tl.getEndpointDataParameter(id, 'registrytype', true) ?? '';
  if (registryType.toUpperCase() === 'ACR' || params['loginserver']) {
    const host = registryHost(requireParam(id, params, 'loginServer', 'login server'));
    const key = params['serviceprincipalkey'];
    if (scheme === 'ServicePrincipal' && key) {
      // ACR accepts a service principal's id and secret as a Docker login.
      const username = requireParam(id, params, 'serviceprincipalid', 'service principal id');
      return { id, host, credential: { kind: 'basic', username, password: key } };
    }
    // Managed identity, workload identity federation, certificates: Entra ID, then /oauth2/exchange.
    return { id, host, credential: entraRegistryCredential(id) };
  }
  const url = params['registry'] ?? tl.getEndpointUrl(id, true);
  if (!url) throw new UserError(`Docker registry service connection '${id}' has no registry URL.`);
  const password = params['password'];
  const username = params['username'];
  if (!password || !username) return { id, host: registryHost(url), credential: { kind: 'anonymous' } };
  return { id, host: registryHost(url), credential: { kind: 'basic', username, password } };
}

export interface CredentialSources {
  /** Registry connections, earlier ones win for the same host. */
  readonly connections: readonly RegistryConnection[];
  /** Entra ID sign-in for hosts no connection covers (ACR `/oauth2/exchange`). */
  readonly entra?: RegistryCredential;
}

/**
 * Per host: a registry connection that covers it, else the Azure subscription (Entra ID), else the
 * agent's Docker config, else anonymous.
 */
export function credentialResolver(sources: CredentialSources): CredentialResolver {
  const dockerConfigDir = process.env['DOCKER_CONFIG'] || path.join(os.homedir(), '.docker');
  let dockerConfig: DockerConfigCredentials | undefined | null = null;
  return async (host: string): Promise<RegistryCredential> => {
    const wanted = registryHost(host);
    const connection = sources.connections.find((c) => c.host === wanted);
    if (connection) return connection.credential;
    if (sources.entra) return sources.entra;
    if (dockerConfig === null) dockerConfig = DockerConfigCredentials.load(dockerConfigDir, agentSecrets);
    return (await dockerConfig?.forHost(wanted)) ?? { kind: 'anonymous' };
  };
}
