import { errorMessage } from '../errors';
import type { Logger } from '../log';
import {
  Transport,
  requestJson,
  retryPolicy,
  type AnswerSource,
  type HttpSettings,
  type TransportOptions,
} from '../net';
import { parseKubeconfig } from './kubeconfig';

/** A Kubernetes Event, reduced to what a failure report shows. */
export interface ClusterEvent {
  readonly type: string;
  readonly reason: string;
  readonly message: string;
  readonly object: string;
  readonly time: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {};
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const b64 = (v: unknown): string | undefined =>
  typeof v === 'string' ? Buffer.from(v, 'base64').toString('utf8') : undefined;

/** Where a kubeconfig's current context points and how it signs in (token or client certificate). */
export interface ApiAccess {
  readonly server: string;
  /** `accept`, and `authorization` for a token user. */
  readonly headers: Readonly<Record<string, string>>;
  readonly tls: {
    /** The cluster's CA (PEM): trusted alone, as kubectl does. */
    readonly ca?: string;
    readonly cert?: string;
    readonly key?: string;
    readonly skipVerify: boolean;
  };
}

/** Server and credentials of the kubeconfig's current context (token or client certificate; no exec plugins). */
export function apiAccess(kubeconfigText: string, context?: string): ApiAccess | undefined {
  const config = parseKubeconfig(kubeconfigText, 'kubeconfig');
  const byName = (key: string, name: string) =>
    (Array.isArray(config[key]) ? (config[key] as unknown[]) : []).map(obj).find((e) => e['name'] === name);
  const ctx = obj(byName('contexts', context ?? str(config['current-context']))?.['context']);
  const cluster = obj(byName('clusters', str(ctx['cluster']))?.['cluster']);
  const user = obj(byName('users', str(ctx['user']))?.['user']);
  const server = str(cluster['server']);
  if (!server.startsWith('https://') && !server.startsWith('http://')) return undefined;
  if (!user['token'] && !user['client-key-data']) return undefined;
  const ca = b64(cluster['certificate-authority-data']);
  const cert = b64(user['client-certificate-data']);
  const key = b64(user['client-key-data']);
  return {
    server,
    headers: {
      accept: 'application/json',
      ...(user['token'] ? { authorization: `Bearer ${str(user['token'])}` } : {}),
    },
    tls: {
      ...(ca ? { ca } : {}),
      ...(cert && key ? { cert, key } : {}),
      skipVerify: cluster['insecure-skip-tls-verify'] === true,
    },
  };
}

const EVENTS_TIMEOUT_MS = 15_000;

/**
 * The transport settings for the API server: the agent's proxy (and bypass list); the cluster's
 * CA and client certificate where the kubeconfig names them, the agent's otherwise.
 */
function apiTransportOptions(access: ApiAccess, agent: HttpSettings): TransportOptions {
  const { ca, cert, key, skipVerify } = access.tls;
  const clientCert = cert && key ? { cert, key } : agent.clientCert;
  return {
    ...(agent.proxy ? { proxy: agent.proxy } : {}),
    ...(ca ? { ca, caOnly: true } : agent.ca ? { ca: agent.ca } : {}),
    ...(clientCert ? { clientCert } : {}),
    ...(skipVerify || agent.rejectUnauthorized === false ? { rejectUnauthorized: false } : {}),
    timeoutMs: EVENTS_TIMEOUT_MS,
  };
}

async function getJson(
  access: ApiAccess,
  path: string,
  operation: string,
  agent: HttpSettings,
  logger: Logger,
): Promise<Json> {
  const url = new URL(path, access.server);
  const source: AnswerSource = {
    service: `Kubernetes API ${url.host}`,
    operation,
    check: `Check the kubeconfig's server ${access.server} and any proxy between the agent and it.`,
  };
  // One attempt: events only explain a failure that already happened.
  const transport = new Transport(apiTransportOptions(access, agent), retryPolicy(), logger);
  try {
    const answer = await requestJson(
      transport,
      { method: 'GET', url, headers: access.headers, retry: false },
      source,
      { limit: 8 * 1024 * 1024 },
    );
    return obj(answer);
  } finally {
    transport.close();
  }
}

/**
 * Warning events in the namespace since `since`, about objects whose names start with one of
 * `names` (a workload and the ReplicaSets and Pods it owns), newest last. Undefined when the
 * cluster can't be asked (exec-plugin credentials, unreachable). The request goes through the
 * agent's proxy (`network`), with the cluster's own CA and client certificate where it names them.
 */
export async function recentWarnings(
  kubeconfigText: string,
  namespace: string,
  names: readonly string[],
  since: Date,
  logger: Logger,
  network: HttpSettings,
  context?: string,
): Promise<ClusterEvent[] | undefined> {
  const access = apiAccess(kubeconfigText, context);
  if (!access) {
    logger.debug('Events not read: the kubeconfig has no token or client certificate the task can use.');
    return undefined;
  }
  let list: Json;
  try {
    list = await getJson(
      access,
      `/api/v1/namespaces/${encodeURIComponent(namespace)}/events?fieldSelector=type%3DWarning`,
      `list Warning events of namespace '${namespace}'`,
      network,
      logger,
    );
  } catch (err) {
    logger.info(`Events not read: ${errorMessage(err)}`);
    return undefined;
  }
  const events = (Array.isArray(list['items']) ? (list['items'] as unknown[]) : []).map(obj).map((e) => {
    const involved = obj(e['involvedObject']);
    return {
      type: str(e['type']),
      reason: str(e['reason']),
      message: str(e['message']),
      object: `${str(involved['kind'])}/${str(involved['name'])}`,
      name: str(involved['name']),
      time: str(e['lastTimestamp']) || str(e['eventTime']) || str(obj(e['metadata'])['creationTimestamp']),
    };
  });
  return events
    .filter((e) => names.length === 0 || names.some((n) => e.name === n || e.name.startsWith(`${n}-`)))
    .filter((e) => !e.time || new Date(e.time).getTime() >= since.getTime() - 60_000)
    .sort((a, b) => a.time.localeCompare(b.time))
    .slice(-20)
    .map(({ type, reason, message, object, time }) => ({ type, reason, message, object, time }));
}
