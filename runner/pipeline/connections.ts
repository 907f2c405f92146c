// Service connections for local runs, described in a YAML file by the names the pipeline uses.
// Secrets are never written in the file: it names the environment variable that holds each one.
//
//   connections:
//     nonprod-acr:                 # Docker registry: username and password (or token)
//       type: dockerRegistry
//       registry: https://fabrikam-nonprod.azurecr.io
//       username: ci-pull
//       passwordEnv: NONPROD_ACR_PASSWORD
//     fabrikam-wif:                # Azure Resource Manager
//       type: azureResourceManager
//       authentication: servicePrincipalSecret   # | servicePrincipalCertificate | managedIdentity | workloadIdentityFederation
//       tenantId: ...
//       clientId: ...
//       secretEnv: AZURE_CLIENT_SECRET           # servicePrincipalSecret
//       certificateFile: spn.pem                 # servicePrincipalCertificate: certificate and key, one PEM
//       subscriptionId: ...
//       authorityHost: https://login.microsoftonline.com/   # optional (sovereign clouds, Azure Stack)
//     aks-staging:                 # Kubernetes, from a kubeconfig file
//       type: kubernetes
//       kubeconfig: ~/.kube/config
//       context: staging           # optional; default the file's current context
//   oidc:                          # the job's OIDC endpoint, for workloadIdentityFederation only
//     collectionUri: https://dev.azure.com/fabrikam/
//     projectId: ...
//     accessTokenEnv: SYSTEM_ACCESSTOKEN
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { SYSTEM_VSS_CONNECTION, Var, type EndpointSpec } from '../agentEnv';
import { PipelineFileError, isRecord, readYamlFile, where, type YamlFile } from './yamlFile';

export const CONNECTION_TYPES = ['dockerRegistry', 'azureResourceManager', 'kubernetes'] as const;
export type ConnectionType = (typeof CONNECTION_TYPES)[number];

export const ARM_AUTHENTICATIONS = [
  'servicePrincipalSecret',
  'servicePrincipalCertificate',
  'managedIdentity',
  'workloadIdentityFederation',
] as const;

export interface Connection {
  readonly name: string;
  readonly type: ConnectionType;
  /** The id the agent would hand the task (a GUID derived from the name). */
  readonly id: string;
  readonly endpoint: EndpointSpec;
}

export interface Connections {
  readonly byName: ReadonlyMap<string, Connection>;
  /** SystemVssConnection and the variables the job's OIDC endpoint needs, when configured. */
  readonly system?: { endpoint: EndpointSpec; variables: Record<string, string> };
}

export const NO_CONNECTIONS: Connections = { byName: new Map() };

/** A stable GUID for a connection name (the agent passes ids, the pipeline names). */
export function connectionId(name: string): string {
  const h = crypto.createHash('sha1').update(`release-guard-connection:${name}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

class Reader {
  constructor(
    private readonly yaml: YamlFile,
    private readonly env: NodeJS.ProcessEnv,
    private readonly baseDir: string,
  ) {}

  fail(path: (string | number)[], message: string): never {
    throw new PipelineFileError(`${where(this.yaml.file, this.yaml.lineOf(path))}${message}`);
  }

  text(entry: Record<string, unknown>, path: (string | number)[], key: string, required: true): string;
  text(
    entry: Record<string, unknown>,
    path: (string | number)[],
    key: string,
    required: false,
  ): string | undefined;
  text(
    entry: Record<string, unknown>,
    path: (string | number)[],
    key: string,
    required: boolean,
  ): string | undefined {
    const value = entry[key];
    if (value === undefined || value === null || value === '') {
      if (required) this.fail(path, `connection '${String(path[1])}' needs '${key}'`);
      return undefined;
    }
    if (typeof value !== 'string' && typeof value !== 'number')
      this.fail([...path, key], `'${key}' must be a string`);
    return String(value);
  }

  /** A secret from the environment variable the file names; never from the file itself. */
  secret(entry: Record<string, unknown>, path: (string | number)[], key: string): string {
    const variable = this.text(entry, path, key, true);
    const value = this.env[variable];
    if (!value)
      this.fail(
        [...path, key],
        `environment variable ${variable} (${key} of connection '${String(path[1])}') is not set`,
      );
    return value;
  }

  file(entry: Record<string, unknown>, path: (string | number)[], key: string): string {
    const given = this.text(entry, path, key, true);
    const file = path_resolve(this.baseDir, given);
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (err) {
      return this.fail([...path, key], `cannot read ${key} ${file}: ${(err as Error).message}`);
    }
  }
}

function path_resolve(baseDir: string, given: string): string {
  const expanded = given.startsWith('~/') ? path.join(os.homedir(), given.slice(2)) : given;
  return path.resolve(baseDir, expanded);
}

function dockerRegistry(r: Reader, p: (string | number)[], e: Record<string, unknown>): EndpointSpec {
  const registry = r.text(e, p, 'registry', true);
  const url = /^[a-z]+:\/\//i.test(registry) ? registry : `https://${registry}`;
  const username = r.text(e, p, 'username', false);
  const parameters: Record<string, string> = { registry: url };
  if (username !== undefined) {
    parameters['username'] = username;
    parameters['password'] = r.secret(e, p, 'passwordEnv');
  }
  return { url, scheme: 'UsernamePassword', parameters, data: { registrytype: 'Others' } };
}

function azureResourceManager(r: Reader, p: (string | number)[], e: Record<string, unknown>): EndpointSpec {
  const auth = r.text(e, p, 'authentication', true);
  const data: Record<string, string> = {
    environment: r.text(e, p, 'environment', false) ?? 'AzureCloud',
    subscriptionId: r.text(e, p, 'subscriptionId', false) ?? '',
    subscriptionName: r.text(e, p, 'subscriptionName', false) ?? '',
  };
  const authority = r.text(e, p, 'authorityHost', false);
  if (authority !== undefined) data['activeDirectoryAuthority'] = authority;
  const base = { url: 'https://management.azure.com/', data };
  const tenantid = () => r.text(e, p, 'tenantId', true);
  const serviceprincipalid = () => r.text(e, p, 'clientId', true);
  switch (auth) {
    case 'servicePrincipalSecret':
      return {
        ...base,
        scheme: 'ServicePrincipal',
        parameters: {
          authenticationType: 'spnKey',
          tenantid: tenantid(),
          serviceprincipalid: serviceprincipalid(),
          serviceprincipalkey: r.secret(e, p, 'secretEnv'),
        },
      };
    case 'servicePrincipalCertificate':
      return {
        ...base,
        scheme: 'ServicePrincipal',
        parameters: {
          authenticationType: 'spnCertificate',
          tenantid: tenantid(),
          serviceprincipalid: serviceprincipalid(),
          servicePrincipalCertificate: r.file(e, p, 'certificateFile'),
        },
      };
    case 'managedIdentity': {
      const clientId = r.text(e, p, 'clientId', false);
      const tenant = r.text(e, p, 'tenantId', false);
      return {
        ...base,
        data: { ...data, ...(clientId ? { msiclientId: clientId } : {}) },
        scheme: 'ManagedServiceIdentity',
        parameters: tenant ? { tenantid: tenant } : {},
      };
    }
    case 'workloadIdentityFederation':
      return {
        ...base,
        scheme: 'WorkloadIdentityFederation',
        parameters: { tenantid: tenantid(), serviceprincipalid: serviceprincipalid() },
      };
    default:
      return r.fail(
        [...p, 'authentication'],
        `authentication '${auth}' is not one of ${ARM_AUTHENTICATIONS.join(', ')}`,
      );
  }
}

function kubernetes(r: Reader, p: (string | number)[], e: Record<string, unknown>): EndpointSpec {
  const kubeconfig = r.file(e, p, 'kubeconfig');
  const context = r.text(e, p, 'context', false);
  let server = '';
  try {
    const config = YAML.parse(kubeconfig) as {
      'current-context'?: string;
      contexts?: { name: string; context?: { cluster?: string } }[];
      clusters?: { name: string; cluster?: { server?: string } }[];
    };
    const wanted = context ?? config['current-context'];
    const cluster = config.contexts?.find((c) => c.name === wanted)?.context?.cluster;
    server = config.clusters?.find((c) => c.name === cluster)?.cluster?.server ?? '';
    if (!server)
      r.fail([...p, 'kubeconfig'], `the kubeconfig has no cluster server for context '${wanted ?? ''}'`);
  } catch (err) {
    if (err instanceof PipelineFileError) throw err;
    r.fail(
      [...p, 'kubeconfig'],
      `the kubeconfig is not valid YAML: ${(err as Error).message.split('\n')[0] ?? ''}`,
    );
  }
  return {
    url: server,
    scheme: 'Kubernetes',
    parameters: { kubeconfig, ...(context ? { clusterContext: context } : {}) },
    data: { authorizationType: 'Kubeconfig' },
  };
}

const BUILDERS: Record<
  ConnectionType,
  (r: Reader, p: (string | number)[], e: Record<string, unknown>) => EndpointSpec
> = {
  dockerRegistry,
  azureResourceManager,
  kubernetes,
};

/** Reads a connections file; secrets come from `env` (the process environment by default). */
export function readConnectionsFile(file: string, env: NodeJS.ProcessEnv = process.env): Connections {
  const yaml = readYamlFile(file, 'connections file');
  const r = new Reader(yaml, env, path.dirname(path.resolve(file)));
  const root = yaml.value;
  if (!isRecord(root) || !isRecord(root['connections'])) {
    throw new PipelineFileError(`${file}: expected a 'connections:' mapping of names`);
  }
  const byName = new Map<string, Connection>();
  for (const [name, entry] of Object.entries(root['connections'])) {
    const p = ['connections', name];
    if (!isRecord(entry)) {
      throw new PipelineFileError(
        `${where(file, yaml.lineOf(p))}connection '${name}' must be a mapping with 'type:'`,
      );
    }
    const type = r.text(entry, p, 'type', true) as ConnectionType;
    const build = CONNECTION_TYPES.includes(type) ? BUILDERS[type] : undefined;
    if (!build) {
      throw new PipelineFileError(
        `${where(file, yaml.lineOf([...p, 'type']))}connection '${name}': type '${type}' is not one of ${CONNECTION_TYPES.join(', ')}`,
      );
    }
    byName.set(name, { name, type, id: connectionId(name), endpoint: build(r, p, entry) });
  }
  const oidc = root['oidc'];
  if (oidc === undefined) return { byName };
  if (!isRecord(oidc))
    throw new PipelineFileError(`${where(file, yaml.lineOf(['oidc']))}'oidc' must be a mapping`);
  const collectionUri = r.text(oidc, ['oidc'], 'collectionUri', true);
  const accessToken = r.secret(oidc, ['oidc'], 'accessTokenEnv');
  return {
    byName,
    system: {
      endpoint: { url: collectionUri, scheme: 'OAuth', parameters: { AccessToken: accessToken } },
      variables: {
        [Var.SystemCollectionUri]: collectionUri,
        [Var.SystemTeamFoundationCollectionUri]: collectionUri,
        [Var.SystemTeamProjectId]: r.text(oidc, ['oidc'], 'projectId', true),
      },
    },
  };
}

export { SYSTEM_VSS_CONNECTION };
