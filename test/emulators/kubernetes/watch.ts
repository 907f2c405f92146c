// Watch streams (`?watch=true`): headers go out at once, then one JSON event per line.
// - sendInitialEvents=true (watch-list, Helm 4 and kubectl 1.34): ADDED for every current object,
//   then a BOOKMARK annotated `k8s.io/initial-events-end: "true"`, then changes.
// - resourceVersion=N (N > 0): every change after N from the store's history, then changes.
// - no resourceVersion or "0": ADDED for every current object, then changes.
// The stream ends after `timeoutSeconds` (default 30 minutes) or when the client goes away.
import type http from 'node:http';
import type { Predicate } from './selectors';
import { clone, type JsonObject } from './patch';
import { apiVersionOf, type ResourceType } from './resources';
import { namespaceOf, resourceKey, type EventType, type ObjectStore } from './store';
import { ApiError } from './responses';

export interface WatchRequest {
  readonly type: ResourceType;
  readonly namespace: string | undefined;
  readonly matches: Predicate;
  readonly query: URLSearchParams;
}

const DEFAULT_TIMEOUT_SECONDS = 1800;

function asType(obj: JsonObject, type: ResourceType): JsonObject {
  return { ...clone(obj), apiVersion: apiVersionOf(type), kind: type.kind };
}

export function serveWatch(store: ObjectStore, watch: WatchRequest, res: http.ServerResponse): void {
  const { type, namespace, matches, query } = watch;
  const resource = resourceKey(type);
  const inScope = (obj: JsonObject) =>
    (namespace === undefined || namespaceOf(obj) === namespace) && matches(obj);
  const sinceParam = query.get('resourceVersion') ?? '';
  const since = Number(sinceParam);
  const initialEvents = query.get('sendInitialEvents') === 'true';
  if (sinceParam !== '' && sinceParam !== '0' && !Number.isInteger(since)) {
    throw new ApiError(400, `invalid resourceVersion ${sinceParam}`);
  }

  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache' });
  res.flushHeaders();
  const send = (eventType: EventType | 'BOOKMARK', object: JsonObject) => {
    res.write(`${JSON.stringify({ type: eventType, object })}\n`);
  };

  if (initialEvents || sinceParam === '' || sinceParam === '0') {
    for (const obj of store.list(resource, namespace)) if (matches(obj)) send('ADDED', asType(obj, type));
    if (initialEvents) {
      send('BOOKMARK', {
        apiVersion: apiVersionOf(type),
        kind: type.kind,
        metadata: {
          resourceVersion: String(store.resourceVersion),
          annotations: { 'k8s.io/initial-events-end': 'true' },
        },
      });
    }
  } else {
    for (const e of store.eventsSince(since)) {
      if (e.resource === resource && inScope(e.object)) send(e.type, asType(e.object, type));
    }
  }

  const unsubscribe = store.subscribe((e) => {
    if (e.resource === resource && inScope(e.object)) send(e.type, asType(e.object, type));
  });
  const timeoutSeconds = Number(query.get('timeoutSeconds') ?? DEFAULT_TIMEOUT_SECONDS);
  const timer = setTimeout(() => res.end(), timeoutSeconds * 1000);
  res.on('close', () => {
    clearTimeout(timer);
    unsubscribe();
  });
}
