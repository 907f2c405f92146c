// Blobs: existence, cross-repository mounts, cancelled upload sessions. Copies: blobUpload.ts.
import { RegistryError } from './registryError';
import type { RegistryHttp } from './registryHttp';
import { discard } from '../net/transport';
import type { RepositoryLocation } from './reference';

export type MountResult = { readonly mounted: true } | { readonly mounted: false; readonly uploadUrl?: URL };

export async function hasBlob(http: RegistryHttp, at: RepositoryLocation, digest: string): Promise<boolean> {
  const res = await http.call({
    ...at,
    operation: 'check blob',
    subject: digest,
    access: 'pull',
    method: 'HEAD',
    path: `/v2/${at.repository}/blobs/${digest}`,
    ok: [200, 404],
  });
  discard(res.body);
  return res.status === 200;
}

/**
 * `POST ?mount=&from=`: 201 mounted; 202 not mounted, with the upload session it opened; a
 * 401/403/404 (registries that refuse mounts, or a token without pull on `from`) not mounted.
 */
export async function tryMount(
  http: RegistryHttp,
  to: RepositoryLocation,
  digest: string,
  fromRepository: string,
): Promise<MountResult> {
  try {
    const res = await http.call({
      ...to,
      operation: 'mount blob',
      subject: `${digest} from ${fromRepository}`,
      access: 'push',
      method: 'POST',
      path: `/v2/${to.repository}/blobs/uploads/`,
      query: { mount: digest, from: fromRepository },
      headers: { 'content-length': '0' },
      alsoPulls: fromRepository,
      ok: [201, 202],
    });
    discard(res.body);
    if (res.status === 201) return { mounted: true };
    const location = res.headers.location;
    return location ? { mounted: false, uploadUrl: new URL(location, res.url) } : { mounted: false };
  } catch (err) {
    const status = err instanceof RegistryError ? err.details.status : undefined;
    if (status === 401 || status === 403 || status === 404) return { mounted: false };
    throw err;
  }
}

/** Cancels an upload session (best effort: a stale session expires on its own). */
export async function cancelUpload(
  http: RegistryHttp,
  to: RepositoryLocation,
  uploadUrl: URL,
): Promise<void> {
  try {
    const res = await http.call({
      ...to,
      operation: 'cancel upload',
      access: 'push',
      method: 'DELETE',
      path: uploadUrl,
      ok: [200, 202, 204, 404],
      retry: false,
    });
    discard(res.body);
  } catch {
    // ignored: nothing depends on the cancel
  }
}
