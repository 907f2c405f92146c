import YAML from 'yaml';
import { UserError } from '../errors';

/** Fields of a kubeconfig `user` that are credentials (registered as secrets, never logged). */
const SECRET_USER_FIELDS = ['token', 'password', 'client-key-data'];

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

export function parseKubeconfig(text: string, what: string): Json {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (err) {
    throw new UserError(
      `${what} is not a valid kubeconfig (YAML error at ${(err as Error).message.split('\n')[0]}).`,
    );
  }
  if (!isObject(doc) || list(doc['clusters']).length === 0) {
    throw new UserError(`${what} is not a kubeconfig: it lists no clusters.`);
  }
  return doc;
}

/**
 * Every credential a kubeconfig holds: tokens, passwords, client keys (and their decoded PEM),
 * auth-provider tokens and secrets, exec environment values. For the agent to mask.
 */
export function kubeconfigSecrets(config: Json): string[] {
  const secrets: string[] = [];
  for (const entry of list(config['users'])) {
    const user = isObject(entry['user']) ? entry['user'] : {};
    for (const field of SECRET_USER_FIELDS) {
      const value = user[field];
      if (typeof value !== 'string' || value === '') continue;
      secrets.push(value);
      if (field === 'client-key-data') secrets.push(Buffer.from(value, 'base64').toString('utf8'));
    }
    const provider = isObject(user['auth-provider']) ? user['auth-provider'] : {};
    const providerConfig = isObject(provider['config']) ? provider['config'] : {};
    for (const [key, value] of Object.entries(providerConfig)) {
      if (typeof value === 'string' && /token|secret|password/i.test(key)) secrets.push(value);
    }
    const exec = isObject(user['exec']) ? user['exec'] : {};
    for (const env of list(exec['env'])) if (typeof env['value'] === 'string') secrets.push(env['value']);
  }
  return secrets.filter((s) => s.length > 0);
}

/** Sets `insecure-skip-tls-verify` on every cluster (the connection's "accept untrusted certificates"). */
export function skipTlsVerify(config: Json): Json {
  for (const entry of list(config['clusters'])) {
    const cluster = isObject(entry['cluster']) ? entry['cluster'] : {};
    delete cluster['certificate-authority-data'];
    delete cluster['certificate-authority'];
    cluster['insecure-skip-tls-verify'] = true;
    entry['cluster'] = cluster;
  }
  return config;
}

export interface ServiceAccountAccess {
  readonly server: string;
  /** The connection's `apiToken`: the service account token, base64-encoded. */
  readonly apiTokenBase64: string;
  /** The connection's `serviceAccountCertificate`: the cluster CA, base64 of the PEM (or the PEM itself). */
  readonly certificate?: string;
  readonly namespace?: string;
}

/** A one-cluster kubeconfig for a service account token, as the built-in Kubernetes tasks build it. */
export function serviceAccountKubeconfig(access: ServiceAccountAccess): { config: Json; token: string } {
  const token = Buffer.from(access.apiTokenBase64, 'base64').toString('utf8').trim();
  if (!token)
    throw new UserError('The Kubernetes service connection has no service account token (apiToken).');
  const cert = access.certificate?.trim();
  const pem = cert?.startsWith('-----BEGIN') ? `${cert}\n` : undefined;
  const caData = pem ? Buffer.from(pem, 'utf8').toString('base64') : cert || undefined;
  const config: Json = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      {
        name: 'cluster',
        cluster: { server: access.server, ...(caData ? { 'certificate-authority-data': caData } : {}) },
      },
    ],
    users: [{ name: 'service-account', user: { token } }],
    contexts: [
      {
        name: 'service-account',
        context: {
          cluster: 'cluster',
          user: 'service-account',
          ...(access.namespace ? { namespace: access.namespace } : {}),
        },
      },
    ],
    'current-context': 'service-account',
  };
  return { config, token };
}

/**
 * Replaces `exec` users that run kubelogin (AKS with Entra ID) by a bearer token the task got
 * itself, so the agent needs no kubelogin. Returns how many users were replaced.
 */
export function replaceKubeloginUsers(config: Json, token: string): number {
  let replaced = 0;
  for (const entry of list(config['users'])) {
    const user = isObject(entry['user']) ? entry['user'] : {};
    const exec = isObject(user['exec']) ? user['exec'] : undefined;
    if (exec && typeof exec['command'] === 'string' && /kubelogin/i.test(exec['command'])) {
      entry['user'] = { token };
      replaced++;
    }
  }
  return replaced;
}

export function kubeconfigYaml(config: Json): string {
  return YAML.stringify(config, { lineWidth: 0 });
}
