// Attaches a new artifact to a manifest as an OCI 1.1 referrer: its blobs, then its manifest (with
// `subject`) by digest, then, where the registry has no referrers API, the `sha256-<hex>` fallback
// index (read, the new descriptor added, written back) - the same index the copy engine writes. The
// order means a failure never leaves a manifest naming a missing blob, nor an index naming a
// missing manifest. What the run already knows is not asked again: the registry's referrers API
// support (`apiSupport`), and an empty config blob this client already wrote in the repository.
import { Readable } from 'node:stream';
import { UserError } from '../errors';
import { FALLBACK_INDEX_WRITES, sleep } from '../net/retry';
import { digestOf, digestTag } from './digest';
import { hasBlob } from './blobs';
import type { Descriptor } from './manifest';
import { pushManifest, type FetchedManifest, type ResolvedManifest } from './manifests';
import { OCI_INDEX, OCI_MANIFEST } from './mediaTypes';
import { imageIn, type RepositoryLocation } from './reference';
import { manifestOfTag, referrersFromApi, type ReferrersDeps } from './referrers';
import type { RegistryHttp } from './registryHttp';
import { completeUpload, startUpload } from './uploadSession';

/** OCI 1.1's empty descriptor: the config of an artifact that has none. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
const EMPTY_JSON = Buffer.from('{}', 'utf8');

/** Per client (one run): `registry/repository`s known to hold the empty config blob. */
const emptyConfigIn = new WeakMap<RegistryHttp, Set<string>>();

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
  // Read first: whether the registry indexes referrers itself (unless the run already learnt it),
  // else the fallback index to extend.
  const api =
    deps.apiSupport.get(at.registry) ?? (await referrersFromApi(deps, at, subject.digest)) !== undefined;
  const fallbackTag = digestTag(subject.digest);
  const index = api
    ? undefined
    : await manifestOfTag(deps.http, at, fallbackTag, { tags: [], complete: false });

  const config = { ...(await putEmptyConfig(deps, at)), mediaType: OCI_EMPTY };
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

  const descriptor: Descriptor = {
    mediaType: OCI_MANIFEST,
    digest,
    size: body.length,
    artifactType: artifact.artifactType,
    annotations: artifact.annotations,
  };
  await addToFallbackIndex(deps.http, at, fallbackTag, descriptor, index);
  return { digest, via: 'fallback-tag' };
}

/** The empty config blob, uploaded unless this client already wrote or found it in the repository. */
async function putEmptyConfig(deps: ReferrersDeps, at: RepositoryLocation): Promise<Descriptor> {
  const known = emptyConfigIn.get(deps.http) ?? new Set<string>();
  emptyConfigIn.set(deps.http, known);
  const key = `${at.registry}/${at.repository}`;
  if (known.has(key)) return { mediaType: '', digest: digestOf(EMPTY_JSON), size: EMPTY_JSON.length };
  const config = await putBlob(deps, at, EMPTY_JSON, true);
  known.add(key);
  return config;
}

const listedIn = (index: FetchedManifest | undefined): readonly Descriptor[] =>
  index?.manifest.kind === 'index' ? index.manifest.manifests : [];

/**
 * Read-modify-write of the fallback index, then read back: a writer that finds its entry gone
 * (another promotion of the same digest wrote in between) merges and writes again, after a jittered
 * pause, up to INDEX_TRIES writes. Without conditional writes (distribution 2.8 has no If-Match on
 * manifests) this narrows the race but cannot close it: a write landing after the last read-back
 * can still drop the entry.
 */
async function addToFallbackIndex(
  http: RegistryHttp,
  at: RepositoryLocation,
  tag: string,
  descriptor: Descriptor,
  read: FetchedManifest | undefined,
): Promise<void> {
  let current = read;
  const { writes, waitMs, jitterMs } = FALLBACK_INDEX_WRITES;
  for (let attempt = 1; attempt <= writes; attempt++) {
    const manifests = [...listedIn(current).filter((d) => d.digest !== descriptor.digest), descriptor];
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }), 'utf8');
    await pushManifest(http, imageIn(at, { tag }), { body, mediaType: OCI_INDEX });
    // Give a concurrent writer's PUT time to land before reading back.
    await sleep(waitMs + Math.floor(Math.random() * jitterMs * attempt));
    current = await manifestOfTag(http, at, tag, { tags: [], complete: false });
    if (listedIn(current).some((d) => d.digest === descriptor.digest)) return;
  }
  throw new UserError(
    `The referrer ${descriptor.digest} could not be listed in the fallback index ${at.registry}/${at.repository}:${tag}: ` +
      `other writers replaced it ${writes} times. Check for other promotions of the same image running at once, then run again.`,
  );
}
