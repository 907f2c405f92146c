// Maps request paths to discovery, OpenAPI, /version and the resource handlers:
// /api/v1/[namespaces/<ns>/]<plural>[/<name>[/<subresource>]] and the same under /apis/<group>/<version>.
import {
  coreVersions,
  group,
  groupList,
  OPENAPI_V2_PROTOBUF,
  openApiV2Json,
  openApiV3Document,
  openApiV3Root,
  resourceList,
  versionDocument,
} from './discovery';
import type { RequestContext, ResourceHandlers, Target } from './handlers';
import type { ResourceCatalog } from './resources';
import { ApiError, sendJson } from './responses';

export interface Routes {
  readonly catalog: ResourceCatalog;
  readonly handlers: ResourceHandlers;
  /** host:port of the server, for /api's serverAddressByClientCIDRs. */
  readonly serverAddress: string;
}

const notFound = (path: string) =>
  new ApiError(404, `the server could not find the requested resource (${path})`, 'NotFound');

function resourceTarget(
  catalog: ResourceCatalog,
  groupName: string,
  version: string,
  rest: string[],
  path: string,
): Target {
  let namespace: string | undefined;
  let parts = rest;
  if (parts[0] === 'namespaces' && parts.length >= 3) {
    namespace = parts[1];
    parts = parts.slice(2);
  }
  const [plural = '', name, subresource, ...extra] = parts;
  const type = catalog.byPlural(groupName, version, plural);
  if (!type || extra.length > 0) throw notFound(path);
  if (namespace !== undefined && !type.namespaced) throw notFound(path);
  return { type, namespace, name, subresource };
}

function openApi(routes: Routes, ctx: RequestContext, segments: string[], path: string): void {
  const [version, ...rest] = segments;
  if (version === 'v2') {
    if ((ctx.req.headers.accept ?? '').includes(OPENAPI_V2_PROTOBUF)) {
      // an empty protobuf message is a valid, empty openapi_v2.Document
      ctx.res.writeHead(200, { 'content-type': OPENAPI_V2_PROTOBUF, 'content-length': 0 });
      ctx.res.end();
    } else sendJson(ctx.res, 200, openApiV2Json());
    return;
  }
  if (version !== 'v3') throw notFound(path);
  if (rest.length === 0) return sendJson(ctx.res, 200, openApiV3Root(routes.catalog));
  const [root, a, b] = rest;
  const doc =
    root === 'api' && a && !b
      ? openApiV3Document(routes.catalog, '', a)
      : root === 'apis' && a && b
        ? openApiV3Document(routes.catalog, a, b)
        : undefined;
  if (!doc) throw notFound(path);
  sendJson(ctx.res, 200, doc);
}

/** Answers one authenticated request; throws ApiError for Kubernetes-style failures. */
export function route(routes: Routes, ctx: RequestContext, path: string): void {
  const segments = path.split('/').filter((s) => s !== '');
  const [first, ...rest] = segments;
  const { catalog } = routes;
  const isGet = ctx.req.method === 'GET';
  if (first === 'version' && rest.length === 0) return sendJson(ctx.res, 200, versionDocument());
  if (first === 'healthz' || first === 'readyz' || first === 'livez') {
    ctx.res.writeHead(200, { 'content-type': 'text/plain' });
    ctx.res.end('ok');
    return;
  }
  if (first === 'openapi') return openApi(routes, ctx, rest, path);
  if (first === 'api') {
    if (rest.length === 0 && isGet) return sendJson(ctx.res, 200, coreVersions(routes.serverAddress));
    const [version = '', ...more] = rest;
    if (more.length === 0 && isGet) {
      const doc = resourceList(catalog, '', version);
      if (!doc) throw notFound(path);
      return sendJson(ctx.res, 200, doc);
    }
    return routes.handlers.handle(resourceTarget(catalog, '', version, more, path), ctx);
  }
  if (first === 'apis') {
    if (rest.length === 0 && isGet) return sendJson(ctx.res, 200, groupList(catalog));
    const [groupName = '', version, ...more] = rest;
    if (version === undefined && isGet) {
      const doc = group(catalog, groupName);
      if (!doc) throw notFound(path);
      return sendJson(ctx.res, 200, doc);
    }
    if (more.length === 0 && isGet) {
      const doc = resourceList(catalog, groupName, version ?? '');
      if (!doc) throw notFound(path);
      return sendJson(ctx.res, 200, doc);
    }
    return routes.handlers.handle(resourceTarget(catalog, groupName, version ?? '', more, path), ctx);
  }
  throw notFound(path);
}
