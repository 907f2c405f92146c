// The REST verbs on one resource type: list/watch, create, get, update, patch (merge, JSON,
// strategic, apply), delete and deletecollection, plus the status and scale subresources.
import type http from 'node:http';
import crypto from 'node:crypto';
import { recordManager, serverSideApply } from './apply';
import { APPLY_PATCH, mediaType, parseBody, parseDeleteOptions, parseObjectBody } from './bodies';
import { applyDefaults } from './defaults';
import { clone, isObject, type JsonObject } from './patch';
import { apiVersionOf, type ResourceType } from './resources';
import { ApiError, sendJson, sendObject, statusBody } from './responses';
import { parseFieldSelector, parseLabelSelector, type Predicate } from './selectors';
import {
  AlreadyExistsError,
  ConflictError,
  metadataOf,
  nameOf,
  NotFoundError,
  resourceKey,
  type ObjectStore,
} from './store';
import { patchObject, scaleOf, subresourceWrite } from './subresources';
import { serveWatch } from './watch';

export interface Target {
  readonly type: ResourceType;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

export interface RequestContext {
  readonly req: http.IncomingMessage;
  readonly res: http.ServerResponse;
  readonly query: URLSearchParams;
  readonly body: Buffer;
}

export class ResourceHandlers {
  /** Last configuration applied per object uid and field manager (server-side apply). */
  private readonly applied = new Map<string, JsonObject>();

  constructor(private readonly store: ObjectStore) {}

  handle(target: Target, ctx: RequestContext): void {
    const method = ctx.req.method ?? 'GET';
    if (target.name === undefined) {
      if (method === 'GET') return this.list(target, ctx);
      if (method === 'POST') return this.create(target, ctx);
      if (method === 'DELETE') return this.deleteCollection(target, ctx);
    } else if (target.subresource === undefined) {
      if (method === 'GET') return sendObject(ctx.req, ctx.res, 200, this.existing(target));
      if (method === 'PUT') return this.update(target, ctx);
      if (method === 'PATCH') return this.patch(target, ctx);
      if (method === 'DELETE') return this.delete(target, ctx);
    } else if (target.subresource === 'status' || target.subresource === 'scale') {
      return this.subresource(target, ctx, method);
    } else
      throw new ApiError(404, `the server could not find the requested resource (${target.subresource})`);
    throw new ApiError(405, `${method} is not supported here`);
  }

  private selectors(query: URLSearchParams): Predicate {
    try {
      const labels = parseLabelSelector(query.get('labelSelector'));
      const fields = parseFieldSelector(query.get('fieldSelector'));
      return (obj) => labels(obj) && fields(obj);
    } catch (err) {
      throw new ApiError(400, (err as Error).message);
    }
  }

  private asType(type: ResourceType, obj: JsonObject): JsonObject {
    return { ...obj, apiVersion: apiVersionOf(type), kind: type.kind };
  }

  private list({ type, namespace }: Target, ctx: RequestContext): void {
    const matches = this.selectors(ctx.query);
    if (ctx.query.get('watch') === 'true' || ctx.query.get('watch') === '1') {
      return serveWatch(this.store, { type, namespace, matches, query: ctx.query }, ctx.res);
    }
    const items = this.store
      .list(resourceKey(type), namespace)
      .filter(matches)
      .map((o) => this.asType(type, o));
    sendJson(ctx.res, 200, {
      kind: `${type.kind}List`,
      apiVersion: apiVersionOf(type),
      metadata: { resourceVersion: String(this.store.resourceVersion) },
      items,
    });
  }

  private existing({ type, namespace, name }: Target): JsonObject {
    const found = this.store.get(resourceKey(type), namespace, name ?? '');
    if (!found) {
      throw new ApiError(
        404,
        `${type.plural}${type.group ? `.${type.group}` : ''} "${name}" not found`,
        'NotFound',
        {
          name,
          group: type.group,
          kind: type.plural,
        },
      );
    }
    return this.asType(type, found);
  }

  private manager(ctx: RequestContext): string {
    return (
      ctx.query.get('fieldManager') ?? (ctx.req.headers['user-agent'] ?? 'unknown').split('/')[0] ?? 'unknown'
    );
  }

  /** Checks apiVersion/kind/name/namespace of a body against the URL and fills them in. */
  private normalize(target: Target, obj: JsonObject): JsonObject {
    const { type } = target;
    if (obj['kind'] !== undefined && obj['kind'] !== type.kind) {
      throw new ApiError(400, `the kind ${JSON.stringify(obj['kind'])} does not match ${type.kind}`);
    }
    obj['apiVersion'] = apiVersionOf(type);
    obj['kind'] = type.kind;
    const meta = metadataOf(obj);
    if (type.namespaced && target.namespace === undefined) {
      throw new ApiError(404, `${type.plural} must be written under /namespaces/<namespace>/`);
    }
    if (type.namespaced) {
      if (meta['namespace'] && meta['namespace'] !== target.namespace) {
        throw new ApiError(
          400,
          'the namespace of the provided object does not match the namespace sent on the request',
        );
      }
      meta['namespace'] = target.namespace;
    } else delete meta['namespace'];
    if (target.name !== undefined && meta['name'] !== undefined && meta['name'] !== target.name) {
      throw new ApiError(400, 'the name of the object does not match the name on the URL');
    }
    if (target.name !== undefined) meta['name'] = target.name;
    if (!meta['name'] && typeof meta['generateName'] === 'string') {
      meta['name'] = `${meta['generateName']}${crypto.randomBytes(3).toString('hex').slice(0, 5)}`;
    }
    if (!meta['name']) throw new ApiError(422, `${type.kind} is invalid: metadata.name: Required value`);
    return obj;
  }

  private requireNamespace(target: Target): void {
    if (!target.type.namespaced || target.namespace === undefined) return;
    if (!this.store.get('/namespaces', undefined, target.namespace)) {
      throw new ApiError(404, `namespaces "${target.namespace}" not found`, 'NotFound', {
        name: target.namespace,
        kind: 'namespaces',
      });
    }
  }

  /** Writes to the main resource never change the status of kinds that have a status subresource. */
  private keepStatus(type: ResourceType, obj: JsonObject, previous: JsonObject | undefined): void {
    if (!type.subresources.includes('status')) return;
    if (previous && previous['status'] !== undefined) obj['status'] = previous['status'];
    else delete obj['status'];
  }

  private save(
    target: Target,
    obj: JsonObject,
    existing: JsonObject | undefined,
    ctx: RequestContext,
  ): JsonObject {
    if (ctx.query.get('dryRun') === 'All') return obj;
    try {
      const key = resourceKey(target.type);
      return this.asType(target.type, existing ? this.store.update(key, obj) : this.store.create(key, obj));
    } catch (err) {
      if (err instanceof ConflictError) throw new ApiError(409, err.message, 'Conflict');
      if (err instanceof AlreadyExistsError) {
        throw new ApiError(409, `${target.type.plural} "${nameOf(obj)}" already exists`, 'AlreadyExists', {
          name: nameOf(obj),
          group: target.type.group,
          kind: target.type.plural,
        });
      }
      if (err instanceof NotFoundError) throw new ApiError(404, err.message);
      throw err;
    }
  }

  private createObject(target: Target, obj: JsonObject, ctx: RequestContext, operation: 'Apply' | 'Update') {
    const full = this.normalize(target, clone(obj));
    this.requireNamespace(target);
    for (const k of ['uid', 'resourceVersion', 'creationTimestamp', 'managedFields'])
      delete metadataOf(full)[k];
    this.keepStatus(target.type, full, undefined);
    applyDefaults(full);
    recordManager(full, this.manager(ctx), operation, obj);
    return this.save(target, full, undefined, ctx);
  }

  private create(target: Target, ctx: RequestContext): void {
    const obj = parseObjectBody(mediaType(ctx.req), ctx.body);
    sendObject(ctx.req, ctx.res, 201, this.createObject(target, obj, ctx, 'Update'));
  }

  private replace(
    target: Target,
    next: JsonObject,
    existing: JsonObject,
    ctx: RequestContext,
    op: 'Apply' | 'Update',
    sent: unknown,
  ) {
    const full = this.normalize(target, clone(next));
    this.keepStatus(target.type, full, existing);
    metadataOf(full)['managedFields'] = metadataOf(existing)['managedFields'];
    applyDefaults(full, existing);
    recordManager(full, this.manager(ctx), op, sent);
    return this.save(target, full, existing, ctx);
  }

  private update(target: Target, ctx: RequestContext): void {
    const existing = this.existing(target);
    const obj = parseObjectBody(mediaType(ctx.req), ctx.body);
    sendObject(ctx.req, ctx.res, 200, this.replace(target, obj, existing, ctx, 'Update', obj));
  }

  private patch(target: Target, ctx: RequestContext): void {
    const found = this.store.get(resourceKey(target.type), target.namespace, target.name ?? '');
    if (mediaType(ctx.req) === APPLY_PATCH) return this.apply(target, found, ctx);
    const existing = this.existing(target);
    const next = patchObject(target.type, existing, mediaType(ctx.req), ctx.body);
    sendObject(
      ctx.req,
      ctx.res,
      200,
      this.replace(target, next, existing, ctx, 'Update', parseBody(mediaType(ctx.req), ctx.body)),
    );
  }

  /** Server-side apply: create when absent, else merge and drop what this manager stopped applying. */
  private apply(target: Target, found: JsonObject | undefined, ctx: RequestContext): void {
    if (!ctx.query.get('fieldManager'))
      throw new ApiError(400, 'PATCH with apply requires a fieldManager query parameter');
    const applied = parseObjectBody(APPLY_PATCH, ctx.body);
    const manager = this.manager(ctx);
    let saved: JsonObject;
    if (!found) {
      saved = this.createObject(target, applied, ctx, 'Apply');
    } else {
      const existing = this.asType(target.type, found);
      const previous = this.applied.get(`${String(metadataOf(existing)['uid'])}\0${manager}`);
      const next = serverSideApply(existing, applied, previous);
      metadataOf(next)['resourceVersion'] =
        metadataOf(applied)['resourceVersion'] ?? metadataOf(existing)['resourceVersion'];
      saved = this.replace(target, next, existing, ctx, 'Apply', applied);
    }
    if (ctx.query.get('dryRun') !== 'All')
      this.applied.set(`${String(metadataOf(saved)['uid'])}\0${manager}`, applied);
    sendObject(ctx.req, ctx.res, found ? 200 : 201, saved);
  }

  private removeObject(target: Target, ctx: RequestContext): JsonObject {
    const existing = this.existing(target);
    const options = parseDeleteOptions(mediaType(ctx.req), ctx.body);
    const pre = isObject(options['preconditions']) ? options['preconditions'] : {};
    const meta = metadataOf(existing);
    if (
      (pre['uid'] && pre['uid'] !== meta['uid']) ||
      (pre['resourceVersion'] && pre['resourceVersion'] !== meta['resourceVersion'])
    ) {
      throw new ApiError(409, `Precondition failed for ${target.type.plural} "${target.name}"`, 'Conflict');
    }
    if (
      ctx.query.get('dryRun') !== 'All' &&
      !(Array.isArray(options['dryRun']) && options['dryRun'].includes('All'))
    ) {
      this.store.delete(resourceKey(target.type), target.namespace, target.name ?? '');
      for (const key of [...this.applied.keys()])
        if (key.startsWith(`${String(meta['uid'])}\0`)) this.applied.delete(key);
    }
    return existing;
  }

  private delete(target: Target, ctx: RequestContext): void {
    const removed = this.removeObject(target, ctx);
    const details = {
      name: target.name,
      group: target.type.group,
      kind: target.type.plural,
      uid: metadataOf(removed)['uid'],
    };
    sendJson(ctx.res, 200, statusBody(200, '', '', details));
  }

  private deleteCollection(target: Target, ctx: RequestContext): void {
    const matches = this.selectors(ctx.query);
    const items = this.store
      .list(resourceKey(target.type), target.namespace)
      .filter(matches)
      .map((o) =>
        this.removeObject(
          {
            ...target,
            name: nameOf(o),
            namespace: target.type.namespaced ? (metadataOf(o)['namespace'] as string) : undefined,
          },
          ctx,
        ),
      );
    sendJson(ctx.res, 200, {
      kind: `${target.type.kind}List`,
      apiVersion: apiVersionOf(target.type),
      metadata: {},
      items,
    });
  }

  private subresource(target: Target, ctx: RequestContext, method: string): void {
    const existing = this.existing(target);
    const subresource = target.subresource ?? 'status';
    const view = (obj: JsonObject) => (subresource === 'scale' ? scaleOf(obj) : obj);
    if (method === 'GET') return sendJson(ctx.res, 200, view(existing));
    if (method !== 'PUT' && method !== 'PATCH') {
      throw new ApiError(405, `${method} is not supported on ${subresource}`);
    }
    const type = mediaType(ctx.req);
    const sent =
      method === 'PUT'
        ? parseObjectBody(type, ctx.body)
        : patchObject(target.type, view(existing), type, ctx.body);
    const saved = this.save(target, subresourceWrite(subresource, existing, sent), existing, ctx);
    sendJson(ctx.res, 200, view(saved));
  }
}
