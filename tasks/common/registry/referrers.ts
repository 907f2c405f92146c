// Finding the artifacts that refer to a manifest (signatures, SBOMs, attestations): the OCI
// referrers API where the registry has it, else the `sha256-<hex>` fallback tag; plus the tags
// cosign uses (`sha256-<hex>.sig`, `.att`, `.sbom`).
import { digestTag } from './digest';
import { parseJsonAnswer } from '../net/remoteAnswer';
import { manifestFromJson, type Descriptor } from './manifest';
import { findManifest, getManifest, type ResolvedManifest } from './manifests';
import { OCI_INDEX } from './mediaTypes';
import { imageIn, type RepositoryLocation } from './reference';
import { answerSource } from './registryError';
import type { RegistryHttp } from './registryHttp';
import { listTags, nextPage } from './tags';

export const COSIGN_SUFFIXES = ['.sig', '.att', '.sbom'] as const;

export interface Referrers {
  /** How the referrers were found. */
  readonly via: 'api' | 'fallback-tag' | 'none';
  /** Referrer manifests (each has the subject as its `subject`). */
  readonly descriptors: readonly Descriptor[];
  /** The fallback tag's index, when the registry has no referrers API and the tag exists. */
  readonly fallbackIndex?: { readonly tag: string; readonly digest: string; readonly body: Buffer };
  /** cosign tags that exist, with the manifest each points to. */
  readonly cosign: readonly (ResolvedManifest & { readonly tag: string })[];
}

export interface ReferrersDeps {
  readonly http: RegistryHttp;
  /** Registry -> whether it serves the referrers API; filled by the first answer. */
  readonly apiSupport: Map<string, boolean>;
}

/** GET /v2/<name>/referrers/<digest> (all pages); undefined when the registry has no such API. */
export async function referrersFromApi(
  deps: ReferrersDeps,
  at: RepositoryLocation,
  digest: string,
): Promise<Descriptor[] | undefined> {
  if (deps.apiSupport.get(at.registry) === false) return undefined;
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

/** Referrers of a manifest: the referrers API, else the `sha256-<hex>` tag; plus cosign tags. */
export async function findReferrers(
  deps: ReferrersDeps,
  at: RepositoryLocation,
  digest: string,
  knownTags?: readonly string[],
): Promise<Referrers> {
  const fromApi = await referrersFromApi(deps, at, digest);
  const tags = knownTags ?? (await listTags(deps.http, at));
  const fallback = digestTag(digest);

  let via: Referrers['via'] = fromApi ? 'api' : 'none';
  let descriptors: Descriptor[] = fromApi ?? [];
  let fallbackIndex: Referrers['fallbackIndex'];
  if (!fromApi && tags.includes(fallback)) {
    const index = await getManifest(deps.http, imageIn(at, { tag: fallback }));
    via = 'fallback-tag';
    descriptors = index.manifest.kind === 'index' ? [...index.manifest.manifests] : [];
    fallbackIndex = { tag: fallback, digest: index.digest, body: index.body };
  }
  const cosign: (ResolvedManifest & { tag: string })[] = [];
  for (const suffix of COSIGN_SUFFIXES) {
    const tag = `${fallback}${suffix}`;
    if (!tags.includes(tag)) continue;
    const found = await findManifest(deps.http, imageIn(at, { tag }));
    if (found) cosign.push({ ...found, tag });
  }
  return { via, descriptors, ...(fallbackIndex ? { fallbackIndex } : {}), cosign };
}
