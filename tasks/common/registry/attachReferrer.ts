// Attaches a new artifact to a manifest as an OCI 1.1 referrer: its blobs, then its manifest (with
// `subject`) by digest, then, where the registry has no referrers API, the `sha256-<hex>` fallback
// index (read, the new descriptor added, written back) - the same index the copy engine writes. The
// order means a failure never leaves a manifest naming a missing blob, nor an index naming a
// missing manifest.
import { Readable } from 'node:stream';
import { digestOf, digestTag } from './digest';
import { hasBlob } from './blobs';
import type { Descriptor } from './manifest';
import { pushManifest, type ResolvedManifest } from './manifests';
import { OCI_INDEX, OCI_MANIFEST } from './mediaTypes';
import { imageIn, type RepositoryLocation } from './reference';
import { manifestOfTag, referrersFromApi, type ReferrersDeps } from './referrers';
import { completeUpload, startUpload } from './uploadSession';

/** OCI 1.1's empty descriptor: the config of an artifact that has none. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
const EMPTY_JSON = Buffer.from('{}', 'utf8');

export interface NewReferrer {
  readonly artifactType: string;
  readonly layers: readonly { readonly mediaType: string; readonly bytes: Buffer }[];
  readonly annotations: Readonly<Record<string, string>>;
}

export interface AttachedReferrer {
  readonly digest: string;
  /** How clients will find it: the registry's referrers API, or the fallback tag's index. */
  readonly via: 'api' | 'fallback-tag';
}

/** Uploads `bytes` as a blob in one POST + PUT; `shared`: unless the repository has it already. */
async function putBlob(
  deps: ReferrersDeps,
  at: RepositoryLocation,
  bytes: Buffer,
  shared: boolean,
): Promise<Descriptor> {
  const digest = digestOf(bytes);
  if (!shared || !(await hasBlob(deps.http, at, digest))) {
    const target = { to: at, digest };
    const session = await startUpload(deps.http, target);
    await completeUpload(deps.http, target, session, {
      length: bytes.length,
      body: () => Readable.from([bytes]),
    });
  }
  return { mediaType: '', digest, size: bytes.length };
}

export async function attachReferrer(
  deps: ReferrersDeps,
  at: RepositoryLocation,
  subject: ResolvedManifest,
  artifact: NewReferrer,
): Promise<AttachedReferrer> {
  // Read first: whether the registry indexes referrers itself, else the fallback index to extend.
  const api = await referrersFromApi(deps, at, subject.digest);
  const fallbackTag = digestTag(subject.digest);
  const index = api
    ? undefined
    : await manifestOfTag(deps.http, at, fallbackTag, { tags: [], complete: false });

  const config = { ...(await putBlob(deps, at, EMPTY_JSON, true)), mediaType: OCI_EMPTY };
  const layers: Descriptor[] = [];
  // The layers are new (a record holds its own time): uploaded without asking first.
  for (const layer of artifact.layers)
    layers.push({ ...(await putBlob(deps, at, layer.bytes, false)), mediaType: layer.mediaType });
  const body = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      artifactType: artifact.artifactType,
      config,
      layers,
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      annotations: artifact.annotations,
    }),
    'utf8',
  );
  const digest = digestOf(body);
  await pushManifest(
    deps.http,
    imageIn(at, { digest }),
    { body, mediaType: OCI_MANIFEST },
    { blobsConfirmed: true },
  );
  if (api) return { digest, via: 'api' };

  const listed = index?.manifest.kind === 'index' ? index.manifest.manifests : [];
  const descriptor: Descriptor = {
    mediaType: OCI_MANIFEST,
    digest,
    size: body.length,
    artifactType: artifact.artifactType,
    annotations: artifact.annotations,
  };
  const manifests = [...listed.filter((d) => d.digest !== digest), descriptor];
  const indexBody = Buffer.from(
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }),
    'utf8',
  );
  await pushManifest(deps.http, imageIn(at, { tag: fallbackTag }), { body: indexBody, mediaType: OCI_INDEX });
  return { digest, via: 'fallback-tag' };
}
