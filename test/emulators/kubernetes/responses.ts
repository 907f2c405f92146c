// Kubernetes-shaped responses: `Status` errors with their reasons, objects and lists as JSON, or
// as protobuf for a client that accepts nothing else (Secrets and ConfigMaps only).
import type http from 'node:http';
import { isObject, type JsonObject } from './patch';
import { encodeEnvelope, isProtobufKind, PROTOBUF_CONTENT_TYPE } from './protobuf';

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  500: 'InternalError',
};

/** An error the handlers throw to answer with a Status (reason overridable, e.g. AlreadyExists). */
export class ApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly reason = REASONS[code] ?? 'Unknown',
    readonly details?: JsonObject,
  ) {
    super(message);
  }
}

export function statusBody(code: number, message: string, reason: string, details?: JsonObject): JsonObject {
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: code < 400 ? 'Success' : 'Failure',
    message,
    reason,
    ...(details ? { details } : {}),
    code,
  };
}

export function sendJson(res: http.ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendError(res: http.ServerResponse, err: ApiError): void {
  sendJson(res, err.code, statusBody(err.code, err.message, err.reason, err.details));
}

/** True when the Accept header allows JSON (or says nothing). */
export function acceptsJson(req: http.IncomingMessage): boolean {
  const accept = req.headers.accept;
  if (!accept) return true;
  return accept.split(',').some((part) => {
    const type = part.split(';')[0]?.trim() ?? '';
    return type === 'application/json' || type === '*/*' || type === 'application/*';
  });
}

/** Sends an object as JSON, or as a protobuf envelope when the client accepts only protobuf. */
export function sendObject(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  code: number,
  obj: JsonObject,
): void {
  if (acceptsJson(req)) {
    sendJson(res, code, obj);
    return;
  }
  const accept = req.headers.accept ?? '';
  if (accept.includes(PROTOBUF_CONTENT_TYPE) && isObject(obj) && isProtobufKind(String(obj['kind']))) {
    const body = encodeEnvelope(obj);
    res.writeHead(code, { 'content-type': PROTOBUF_CONTENT_TYPE, 'content-length': body.length });
    res.end(body);
    return;
  }
  sendError(res, new ApiError(406, `the emulator cannot answer ${accept} for ${String(obj['kind'])}`));
}
