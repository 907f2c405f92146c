// Finding the artifacts that refer to a manifest (signatures, SBOMs, attestations): the OCI
// referrers API where the registry has it, else the `sha256-<hex>` fallback tag; plus the tags
// cosign uses (`sha256-<hex>.sig`, `.att`, `.sbom`).
import { digestTag } from './digest';
import { parseJsonAnswer } from '../net/remoteAnswer';
import { manifestFromJson, type Descriptor } from './manifest';
import { findManifest, getManifest, type FetchedManifest, type ResolvedManifest } from './manifests';
import { OCI_INDEX } from './mediaTypes';
import { imageIn, type RepositoryLocation } from './reference';
import { RegistryError, answerSource } from './registryError';
import type { RegistryHttp } from './registryHttp';
import { firstTagPage, nextPage, type TagListing } from './tags';

export const COSIGN_SUFFIXES = ['.sig', '.att', '.sbom'] as const;

export interface Referrers {
  /** How the referrers were found. */
  readonly via: 'api' | 'fallback-tag' | 'none';
  /** Referrer manifests (each has the subject as its `subject`). */
  readonly descriptors: readonly Descriptor[];
  /** The fallback tag's index, when the registry has no referrers API and the tag exists. */
  readonly fallbackIndex?: { readonly tag: string; readonly digest: string; readonly body: Buffer };
  /** cosign tags that exist, with the manifest each points to (and its bytes when asked for). */
  readonly cosign: readonly CosignTag[];
}

export type CosignTag = ResolvedManifest & {
  readonly tag: string;
  /** The manifest read by its tag (findReferrers' `fetchCosign`): no second read by digest. */
  readonly fetched?: FetchedManifest;
};

export interface ReferrersDeps {
  readonly http: RegistryHttp;
  /** Registry -> whether it serves the referrers API; filled by the first answer. */
  readonly apiSupport: Map<string, boolean>;
}

/** Registry -> the first referrers request while the API's support is unknown, per run (its map). */
const firstProbes = new WeakMap<Map<string, boolean>, Map<string, Promise<unknown>>>();

/**
 * GET /v2/<name>/referrers/<digest> (all pages); undefined when the registry has no such API.
 * Copies started at once ask the registry once: the others wait for the first answer.
 */
export async function referrersFromApi(
  deps: ReferrersDeps,
  at: RepositoryLocation,
  digest: string,
): Promise<Descriptor[] | undefined> {
  if (!deps.apiSupport.has(at.registry)) {
    const probes = firstProbes.get(deps.apiSupport) ?? new Map<string, Promise<unknown>>();
    firstProbes.set(deps.apiSupport, probes);
    const pending = probes.get(at.registry);
    if (!pending) {
      const probe = askReferrersApi(deps, at, digest);
      probes.set(at.registry, probe);
      return probe.finally(() => probes.delete(at.registry));
    }
    await pending.catch(() => undefined);
  }
  if (deps.apiSupport.get(at.registry) === false) return undefined;
  return askReferrersApi(deps, at, digest);
}

async function askReferrersApi(
  deps: ReferrersDeps,
  at: RepositoryLocation,
  digest: string,
): Promise<Descriptor[] | undefined> {
  const found: Descriptor[] = [];
  let path: string | URL = `/v2/${at.repository}/referrers/${digest}`;
  for (let page = 0; page < 100; page++) {
    const call = {
      ...at,
      operation: 'list referrers of',
      subject: digest,
      access: 'pull',
      method: 'GET',
      path,
      headers: { accept: OCI_INDEX },
      ok: [200, 400, 404, 405, 501],
    } as const;
    const { res, body } = await deps.http.callForBody(call);
    if (res.status !== 200) {
      deps.apiSupport.set(at.registry, false);
      return undefined;
    }
    deps.apiSupport.set(at.registry, true);
    const contentType = res.headers['content-type'];
    const json = parseJsonAnswer(body, contentType, answerSource(call));
    const index = manifestFromJson(
      json,
      contentType ?? OCI_INDEX,
      `referrers of ${at.registry}/${at.repository}@${digest}`,
    );
    if (index.kind === 'index') found.push(...index.manifests);
    const next = nextPage(res.headers.link);
    if (!next) break;
    path = new URL(next, res.url);
  }
  return found;
}

/**
 * The manifest a tag names, fetched, or undefined when the tag does not exist: a complete tag
 * listing answers "absent" without a request, else one GET (404: absent) tells and fetches at once.
 */
export async function manifestOfTag(
  http: RegistryHttp,
  at: RepositoryLocation,
  tag: string,
  listing: TagListing,
): Promise<FetchedManifest | undefined> {
  if (listing.complete && !listing.tags.includes(tag)) return undefined;
  try {
    return await getManifest(http, imageIn(at, { tag }));
  } catch (err) {
    if (err instanceof RegistryError && err.details.status === 404) return undefined;
    throw err;
  }
}

/** A cosign tag's manifest: HEAD, or one GET when its bytes are wanted; undefined when absent. */
async function cosignTag(
  http: RegistryHttp,
  at: RepositoryLocation,
  tag: string,
  listing: TagListing,
  fetch: boolean,
): Promise<CosignTag | undefined> {
  if (listing.complete && !listing.tags.includes(tag)) return undefined;
  if (!fetch) {
    const found = await findManifest(http, imageIn(at, { tag }));
    return found && { ...found, tag };
  }
  const fetched = await manifestOfTag(http, at, tag, listing);
  return (
    fetched && { digest: fetched.digest, mediaType: fetched.mediaType, size: fetched.size, tag, fetched }
  );
}

/**
 * Referrers of a manifest: the referrers API, else the `sha256-<hex>` tag; plus cosign tags. The
 * API and the tag listing are asked at once (both are needed while the API's support is unknown);
 * a tag is looked up only when the listing has it or is incomplete. `fetchCosign`: read cosign
 * manifests whole by their tag (one GET instead of HEAD now and GET by digest later).
 */
export async function findReferrers(
  deps: ReferrersDeps,
  at: RepositoryLocation,
  digest: string,
  knownTags?: Promise<TagListing>,
  fetchCosign = false,
): Promise<Referrers> {
  const [fromApi, tags] = await Promise.all([
    referrersFromApi(deps, at, digest),
    knownTags ?? firstTagPage(deps.http, at),
  ]);
  const fallback = digestTag(digest);

  const cosignTags = COSIGN_SUFFIXES.map((suffix) => `${fallback}${suffix}`);
  const [index, ...signatures] = await Promise.all([
    fromApi ? undefined : manifestOfTag(deps.http, at, fallback, tags),
    ...cosignTags.map((tag) => cosignTag(deps.http, at, tag, tags, fetchCosign)),
  ]);
  const via: Referrers['via'] = fromApi ? 'api' : index ? 'fallback-tag' : 'none';
  const descriptors: Descriptor[] =
    fromApi ?? (index?.manifest.kind === 'index' ? [...index.manifest.manifests] : []);
  const fallbackIndex = index ? { tag: fallback, digest: index.digest, body: index.body } : undefined;
  const cosign = signatures.filter((found): found is CosignTag => found !== undefined);
  return { via, descriptors, ...(fallbackIndex ? { fallbackIndex } : {}), cosign };
}
