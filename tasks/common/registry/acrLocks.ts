// Azure Container Registry's lock API: the `changeableAttributes` of a tag or a manifest, read and
// changed through ACR's data plane (`/acr/v1/<repository>/_tags/<tag>`, `/_manifests/<digest>`),
// as `az acr repository update --write-enabled false` does. Token scopes: `metadata_read` to read,
// `metadata_write` to change. A registry without that API (any other) answers 404 without an
// OCI error body there; ACR answers 404 with one for a tag it does not hold.
import { answerError, parseJsonAnswer, stopsMidJson } from '../net/remoteAnswer';
import type { RepositoryLocation } from './reference';
import { RegistryError, answerSource, parseErrorBody, type RegistryOperation } from './registryError';
import type { RegistryHttp } from './registryHttp';

/** The attributes a lock changes (ACR also has readEnabled and listEnabled, left alone). */
export interface LockAttributes {
  readonly writeEnabled: boolean;
  readonly deleteEnabled: boolean;
}

/** What ACR says of a tag: held (with its digest and attributes), or not held. */
export type TagLockState =
  | { readonly kind: 'tag'; readonly digest: string; readonly attributes: LockAttributes }
  | { readonly kind: 'absent' }
  /** The registry has no ACR attribute API (HTTP status of its answer at `/acr/v1/`). */
  | { readonly kind: 'unsupported'; readonly status: number };

/** A tag or a manifest digest in a repository, the thing a lock applies to. */
export type LockSubject = { readonly tag: string } | { readonly digest: string };

const pathOf = (repository: string, subject: LockSubject): string =>
  'tag' in subject
    ? `/acr/v1/${repository}/_tags/${encodeURIComponent(subject.tag)}`
    : `/acr/v1/${repository}/_manifests/${subject.digest}`;

const nameOf = (subject: LockSubject): string => ('tag' in subject ? subject.tag : subject.digest);

/** The tag's digest and lock attributes on ACR; what the registry says when it is not ACR. */
export async function readTagLock(
  http: RegistryHttp,
  at: RepositoryLocation,
  tag: string,
): Promise<TagLockState> {
  const op: RegistryOperation = {
    ...at,
    operation: 'read ACR tag attributes',
    access: 'metadata_read',
    subject: tag,
  };
  const { res, body } = await http
    .callForBody(
      {
        ...op,
        method: 'GET',
        path: pathOf(at.repository, { tag }),
        ok: [200, 404, 405],
        cutShortIf: stopsMidJson,
      },
      1024 * 1024,
    )
    .catch((err: unknown) => {
      throw permissionError(err, op);
    });
  if (res.status === 404 && parseErrorBody(body).length > 0) return { kind: 'absent' };
  if (res.status !== 200) return { kind: 'unsupported', status: res.status };
  const answer = parseJsonAnswer(body, res.headers['content-type'], answerSource(op)) as {
    tag?: { digest?: unknown; changeableAttributes?: unknown };
  };
  const digest = answer.tag?.digest;
  if (typeof digest !== 'string') throw answerError(answerSource(op), 'the answer names no "tag.digest"');
  return { kind: 'tag', digest, attributes: attributesOf(answer.tag?.changeableAttributes, op) };
}

/** Sets the lock attributes of a tag or manifest; returns what ACR then holds. */
export async function updateLock(
  http: RegistryHttp,
  at: RepositoryLocation,
  subject: LockSubject,
  changes: Partial<LockAttributes>,
): Promise<LockAttributes> {
  const op: RegistryOperation = {
    ...at,
    operation: `lock ${'tag' in subject ? 'tag' : 'manifest'}`,
    access: 'metadata_write',
    subject: nameOf(subject),
  };
  const { res, body } = await http
    .callForBody(
      {
        ...op,
        method: 'PATCH',
        path: pathOf(at.repository, subject),
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(JSON.stringify(changes), 'utf8'),
        ok: [200],
      },
      1024 * 1024,
    )
    .catch((err: unknown) => {
      throw permissionError(err, op);
    });
  const answer = parseJsonAnswer(body, res.headers['content-type'], answerSource(op)) as Record<
    string,
    { changeableAttributes?: unknown } | undefined
  >;
  const held = attributesOf(answer['tag' in subject ? 'tag' : 'manifest']?.changeableAttributes, op);
  const unmet = (Object.keys(changes) as (keyof LockAttributes)[]).filter((k) => held[k] !== changes[k]);
  if (unmet.length > 0) {
    throw answerError(
      answerSource(op),
      `the registry kept ${unmet.map((k) => `${k} ${held[k]}`).join(', ')}`,
    );
  }
  return held;
}

function attributesOf(value: unknown, op: RegistryOperation): LockAttributes {
  const attrs = (value ?? {}) as { writeEnabled?: unknown; deleteEnabled?: unknown };
  if (typeof attrs.writeEnabled !== 'boolean' || typeof attrs.deleteEnabled !== 'boolean') {
    throw answerError(
      answerSource(op),
      'the answer has no "changeableAttributes" with writeEnabled and deleteEnabled',
    );
  }
  return { writeEnabled: attrs.writeEnabled, deleteEnabled: attrs.deleteEnabled };
}

/** A refusal of the attribute API names the right it takes and who grants it. */
function permissionError(err: unknown, op: RegistryOperation): Error {
  const status = err instanceof RegistryError ? err.details.status : undefined;
  if (status !== 401 && status !== 403) return err instanceof Error ? err : new Error(String(err));
  return new RegistryError(
    `${(err as RegistryError).message} Reading and changing ACR tag and manifest attributes (locks) ` +
      `takes the token scopes repository:${op.repository ?? ''}:metadata_read,metadata_write: the identity ` +
      `needs Microsoft.ContainerRegistry/registries/repositories/metadata/read and metadata/write (role ` +
      `Container Registry Repository Writer on registries with repository permissions, or Contributor; ` +
      `for a repository-scoped ACR token, a scope map with metadata/read and metadata/write).`,
    (err as RegistryError).details,
    { cause: err },
  );
}
