// Non-apply patches of a request body onto an object, and the status and scale subresources:
// a write to `status` changes only the status, a write to `scale` only spec.replicas.
import { JSON_PATCH, MERGE_PATCH, parseBody, STRATEGIC_MERGE_PATCH } from './bodies';
import {
  clone,
  isObject,
  jsonPatch,
  mergePatch,
  PatchError,
  strategicMergePatch,
  type JsonObject,
} from './patch';
import type { ResourceType } from './resources';
import { ApiError } from './responses';
import { metadataOf } from './store';

/** `existing` after a merge, JSON or strategic merge patch of `contentType`; ApiError 415/422. */
export function patchObject(
  type: ResourceType,
  existing: JsonObject,
  contentType: string,
  body: Buffer,
): JsonObject {
  const patch = parseBody(contentType, body);
  let result: unknown;
  try {
    if (contentType === MERGE_PATCH) result = mergePatch(existing, patch);
    else if (contentType === JSON_PATCH) result = jsonPatch(existing, patch);
    else if (contentType === STRATEGIC_MERGE_PATCH) {
      if (type.group.includes('.') && !type.group.endsWith('k8s.io')) {
        throw new ApiError(415, 'strategic merge patch is not supported for custom resources');
      }
      result = strategicMergePatch(existing, patch);
    } else throw new ApiError(415, `the body of the request was in an unknown format: ${contentType}`);
  } catch (err) {
    if (err instanceof PatchError) throw new ApiError(422, err.message);
    throw err;
  }
  if (!isObject(result)) throw new ApiError(422, 'the patch does not leave an object');
  return result;
}

/** The autoscaling/v1 Scale view of a workload. */
export function scaleOf(obj: JsonObject): JsonObject {
  const meta = metadataOf(obj);
  const spec = isObject(obj['spec']) ? obj['spec'] : {};
  const status = isObject(obj['status']) ? obj['status'] : {};
  return {
    apiVersion: 'autoscaling/v1',
    kind: 'Scale',
    metadata: {
      name: meta['name'],
      namespace: meta['namespace'],
      uid: meta['uid'],
      resourceVersion: meta['resourceVersion'],
    },
    spec: { replicas: spec['replicas'] ?? 1 },
    status: { replicas: status['replicas'] ?? 0 },
  };
}

/** The object to store after a write of `sent` (a full status object or a Scale) to a subresource. */
export function subresourceWrite(subresource: string, existing: JsonObject, sent: JsonObject): JsonObject {
  const next = clone(existing);
  if (subresource === 'scale') {
    const spec = isObject(existing['spec']) ? existing['spec'] : {};
    next['spec'] = { ...spec, replicas: isObject(sent['spec']) ? sent['spec']['replicas'] : undefined };
  } else next['status'] = sent['status'];
  const sentVersion = metadataOf(sent)['resourceVersion'];
  metadataOf(next)['resourceVersion'] = sentVersion ?? metadataOf(existing)['resourceVersion'];
  return next;
}
