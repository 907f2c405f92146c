import https from 'node:https';
import { UserError, errorMessage } from '../errors';
import type { Logger } from '../log';
import {
  answerError,
  describeStatus,
  readAnswer,
  readJsonAnswer,
  type AnswerSource,
} from '../net/remoteAnswer';
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

interface ApiAccess {
  readonly server: string;
  readonly options: https.RequestOptions;
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
    options: {
      ...(ca ? { ca } : {}),
      ...(cert && key ? { cert, key } : {}),
      rejectUnauthorized: cluster['insecure-skip-tls-verify'] !== true,
      headers: {
        accept: 'application/json',
        ...(user['token'] ? { authorization: `Bearer ${str(user['token'])}` } : {}),
      },
      timeout: 15_000,
    },
  };
}

function getJson(access: ApiAccess, path: string, operation: string): Promise<Json> {
  const url = new URL(path, access.server);
  const source: AnswerSource = {
    service: `Kubernetes API ${url.host}`,
    operation,
    check: `Check the kubeconfig's server ${access.server} and any proxy between the agent and it.`,
  };
  return new Promise((resolve, reject) => {
    const req = https.get(url, access.options, (res) => {
      if (res.statusCode !== 200) {
        void readAnswer(res, source, 64 * 1024)
          .catch(() => '')
          .then((body) =>
            reject(answerError(source, `it answered ${describeStatus(res.statusCode ?? 0, body)}`)),
          );
        return;
      }
      readJsonAnswer(res, source, 8 * 1024 * 1024).then((json) => resolve(obj(json)), reject);
    });
    req.on('timeout', () => req.destroy(answerError(source, 'it did not answer within 15 s')));
    req.on('error', (err) =>
      reject(
        err instanceof UserError ? err : answerError(source, `it could not be reached (${err.message})`),
      ),
    );
  });
}

/**
 * Warning events in the namespace since `since`, about objects whose names start with one of
 * `names` (a workload and the ReplicaSets and Pods it owns), newest last. Undefined when the
 * cluster can't be asked (exec-plugin credentials, unreachable).
 */
export async function recentWarnings(
  kubeconfigText: string,
  namespace: string,
  names: readonly string[],
  since: Date,
  logger: Logger,
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
