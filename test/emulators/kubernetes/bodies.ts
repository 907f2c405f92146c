// Request bodies by content type: JSON, YAML (server-side apply), and Kubernetes protobuf for
// the Secrets and ConfigMaps Helm's release storage writes. Anything else is a 415.
import type http from 'node:http';
import YAML from 'yaml';
import { isObject, type JsonObject } from './patch';
import { decodeEnvelope, PROTOBUF_CONTENT_TYPE } from './protobuf';
import { ApiError } from './responses';

export const MERGE_PATCH = 'application/merge-patch+json';
export const JSON_PATCH = 'application/json-patch+json';
export const STRATEGIC_MERGE_PATCH = 'application/strategic-merge-patch+json';
export const APPLY_PATCH = 'application/apply-patch+yaml';

export async function readRawBody(req: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The media type without parameters, lower-cased (`application/json`). */
export function mediaType(req: http.IncomingMessage): string {
  return (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** Parses a body meant to be an object or a JSON patch array; throws ApiError 400/415. */
export function parseBody(contentType: string, body: Buffer): unknown {
  if (body.length === 0) throw new ApiError(400, 'the request body is empty');
  try {
    switch (contentType) {
      case 'application/json':
      case MERGE_PATCH:
      case JSON_PATCH:
      case STRATEGIC_MERGE_PATCH:
      case '':
        return JSON.parse(body.toString('utf8')) as unknown;
      case APPLY_PATCH:
      case 'application/yaml':
        return YAML.parse(body.toString('utf8')) as unknown;
      case PROTOBUF_CONTENT_TYPE:
        return decodeEnvelope(body);
      default:
        throw new ApiError(415, `the body of the request was in an unknown format: ${contentType}`);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, `cannot decode the ${contentType} body: ${(err as Error).message}`);
  }
}

export function parseObjectBody(contentType: string, body: Buffer): JsonObject {
  const parsed = parseBody(contentType, body);
  if (!isObject(parsed)) throw new ApiError(400, 'the request body must be an object');
  return parsed;
}

/** The DeleteOptions of a DELETE (JSON only; a protobuf one is read as empty). */
export function parseDeleteOptions(contentType: string, body: Buffer): JsonObject {
  if (body.length === 0 || contentType === PROTOBUF_CONTENT_TYPE) return {};
  const parsed = parseBody(contentType, body);
  return isObject(parsed) ? parsed : {};
}
