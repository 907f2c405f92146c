import {
  digestTag,
  getManifest,
  imageIn,
  referrersFromApi,
  RegistryError,
  type RegistryClient,
  type RepositoryLocation,
} from '../registry';
import type { ArtifactSource, FetchedManifest, ReferrerDescriptor } from './source';

/**
 * Largest signature blob read (a simple-signing payload, a Sigstore bundle, a JWS envelope: a few
 * KiB each). A bigger one is no signature anyone should trust and is refused unread.
 */
export const SIGNATURE_BLOB_LIMIT = 4 * 1024 * 1024;

/**
 * The gate's ArtifactSource over the registry client, in one repository: the referrers API, or
 * the OCI fallback tag `sha256-<hex>` where the registry has none; manifests by tag or digest (one
 * GET each, a 404 is "none"); blobs by digest, at most SIGNATURE_BLOB_LIMIT bytes.
 */
export function registryArtifactSource(
  client: Pick<RegistryClient, 'http' | 'referrersApi'>,
  at: RepositoryLocation,
): ArtifactSource {
  const http = client.http;

  async function manifest(reference: string): Promise<FetchedManifest | undefined> {
    const ref = imageIn(at, reference.includes(':') ? { digest: reference } : { tag: reference });
    try {
      const fetched = await getManifest(http, ref);
      return { digest: fetched.digest, bytes: fetched.body };
    } catch (err) {
      if (err instanceof RegistryError && err.details.status === 404) return undefined;
      throw err;
    }
  }

  async function referrers(digest: string): Promise<readonly ReferrerDescriptor[]> {
    const fromApi = await referrersFromApi({ http, apiSupport: client.referrersApi }, at, digest);
    if (fromApi) return fromApi;
    const index = await manifest(digestTag(digest));
    if (!index) return [];
    const parsed = JSON.parse(index.bytes.toString('utf8')) as { manifests?: unknown };
    return Array.isArray(parsed.manifests) ? (parsed.manifests as ReferrerDescriptor[]) : [];
  }

  async function blob(digest: string): Promise<Buffer> {
    const { body } = await http.callForBody(
      {
        ...at,
        operation: 'read signature blob',
        subject: digest,
        access: 'pull',
        method: 'GET',
        path: `/v2/${at.repository}/blobs/${digest}`,
        ok: [200],
      },
      SIGNATURE_BLOB_LIMIT,
    );
    return body;
  }

  return { referrers, manifest, blob };
}
