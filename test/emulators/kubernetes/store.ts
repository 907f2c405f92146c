// The emulator's object store: objects by resource (group + plural, shared by every version),
// namespace and name; one resourceVersion counter; every change kept as a watch event so a watch
// can start from any resourceVersion; listeners for the watch streams and the controllers.
import crypto from 'node:crypto';
import { canonicalJson, clone, type JsonObject } from './patch';
import type { ResourceType } from './resources';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  readonly type: EventType;
  readonly resourceVersion: number;
  /** `group/plural` of the object's resource. */
  readonly resource: string;
  readonly object: JsonObject;
}

export class ConflictError extends Error {}
export class NotFoundError extends Error {}
export class AlreadyExistsError extends Error {}

export const resourceKey = (type: Pick<ResourceType, 'group' | 'plural'>) => `${type.group}/${type.plural}`;

/** Kinds whose spec changes bump metadata.generation (every kind with a spec, as workloads do). */
const hasGeneration = (obj: JsonObject) => 'spec' in obj;

export function metadataOf(obj: unknown): JsonObject {
  const o = obj as JsonObject;
  if (typeof o['metadata'] !== 'object' || o['metadata'] === null) o['metadata'] = {};
  return o['metadata'] as JsonObject;
}

export const nameOf = (obj: unknown): string => {
  const name = metadataOf(obj)['name'];
  return typeof name === 'string' ? name : '';
};
export const namespaceOf = (obj: unknown) => {
  const ns = metadataOf(obj)['namespace'];
  return typeof ns === 'string' && ns !== '' ? ns : undefined;
};

export const timestamp = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

export class ObjectStore {
  private revision = 1000;
  private readonly objects = new Map<string, Map<string, JsonObject>>();
  private readonly history: StoreEvent[] = [];
  private readonly listeners = new Set<(event: StoreEvent) => void>();

  get resourceVersion(): number {
    return this.revision;
  }

  private bucket(resource: string): Map<string, JsonObject> {
    let b = this.objects.get(resource);
    if (!b) this.objects.set(resource, (b = new Map<string, JsonObject>()));
    return b;
  }

  private static slot(namespace: string | undefined, name: string): string {
    return `${namespace ?? ''}/${name}`;
  }

  get(resource: string, namespace: string | undefined, name: string): JsonObject | undefined {
    const found = this.objects.get(resource)?.get(ObjectStore.slot(namespace, name));
    return found ? clone(found) : undefined;
  }

  /** Objects of a resource, in one namespace or all, sorted by namespace and name. */
  list(resource: string, namespace?: string): JsonObject[] {
    const all = [...(this.objects.get(resource)?.entries() ?? [])];
    return all
      .filter(([slot]) => namespace === undefined || slot.startsWith(`${namespace}/`))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, obj]) => clone(obj));
  }

  /** The resources (`group/plural`) that have held objects. */
  resources(): string[] {
    return [...this.objects.keys()];
  }

  private record(type: EventType, resource: string, obj: JsonObject): void {
    const event: StoreEvent = { type, resourceVersion: this.revision, resource, object: clone(obj) };
    this.history.push(event);
    for (const listener of [...this.listeners]) listener(event);
  }

  create(resource: string, input: JsonObject): JsonObject {
    const obj = clone(input);
    const meta = metadataOf(obj);
    const slot = ObjectStore.slot(namespaceOf(obj), nameOf(obj));
    if (this.bucket(resource).has(slot)) throw new AlreadyExistsError(`${nameOf(obj)} already exists`);
    meta['uid'] = crypto.randomUUID();
    meta['resourceVersion'] = String(++this.revision);
    meta['creationTimestamp'] = timestamp();
    if (hasGeneration(obj)) meta['generation'] = 1;
    else delete meta['generation'];
    this.bucket(resource).set(slot, obj);
    this.record('ADDED', resource, obj);
    return clone(obj);
  }

  /**
   * Replaces a stored object. A resourceVersion in `input` must match (409 otherwise); without one
   * the update is unconditional. uid and creationTimestamp are kept; generation bumps on spec changes.
   */
  update(resource: string, input: JsonObject): JsonObject {
    const obj = clone(input);
    const meta = metadataOf(obj);
    const slot = ObjectStore.slot(namespaceOf(obj), nameOf(obj));
    const existing = this.bucket(resource).get(slot);
    if (!existing) throw new NotFoundError(`${nameOf(obj)} not found`);
    const oldMeta = metadataOf(existing);
    const sentVersion = meta['resourceVersion'];
    if (sentVersion !== undefined && sentVersion !== '' && sentVersion !== oldMeta['resourceVersion']) {
      throw new ConflictError(
        `Operation cannot be fulfilled on ${resource} "${nameOf(obj)}": the object has been modified; please apply your changes to the latest version and try again`,
      );
    }
    meta['uid'] = oldMeta['uid'];
    meta['creationTimestamp'] = oldMeta['creationTimestamp'];
    const oldGeneration = Number(oldMeta['generation'] ?? 0);
    if (hasGeneration(obj)) {
      const specChanged = canonicalJson(obj['spec']) !== canonicalJson(existing['spec']);
      meta['generation'] = specChanged || oldGeneration === 0 ? oldGeneration + 1 : oldGeneration;
    }
    if (
      canonicalJson({ ...obj, metadata: { ...meta, resourceVersion: '' } }) ===
      canonicalJson({ ...existing, metadata: { ...oldMeta, resourceVersion: '' } })
    ) {
      return clone(existing); // a no-op write keeps the resourceVersion, as the API server does
    }
    meta['resourceVersion'] = String(++this.revision);
    this.bucket(resource).set(slot, obj);
    this.record('MODIFIED', resource, obj);
    return clone(obj);
  }

  delete(resource: string, namespace: string | undefined, name: string): JsonObject {
    const slot = ObjectStore.slot(namespace, name);
    const existing = this.bucket(resource).get(slot);
    if (!existing) throw new NotFoundError(`${name} not found`);
    this.bucket(resource).delete(slot);
    metadataOf(existing)['resourceVersion'] = String(++this.revision);
    this.record('DELETED', resource, existing);
    return clone(existing);
  }

  /** Events after `resourceVersion` (exclusive), oldest first. */
  eventsSince(resourceVersion: number): StoreEvent[] {
    return this.history.filter((e) => e.resourceVersion > resourceVersion);
  }

  subscribe(listener: (event: StoreEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
