// The few OCI distribution API calls the fixture's image helpers need: blob upload (POST then
// PUT <Location>&digest=), manifest put/get/delete, tag list and blob existence.
import { sha256Digest, type SeededBlob } from './blobContent';
import { RegistryClient } from './registryClient';
import type { RegistryFixture } from './types';

export const MediaType = {
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  ociLayer: 'application/vnd.oci.image.layer.v1.tar+gzip',
  ociEmpty: 'application/vnd.oci.empty.v1+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
} as const;

/** All four manifest types: without the OCI ones distribution 2.8 answers 404 for OCI manifests. */
export const MANIFEST_ACCEPT = [
  MediaType.ociIndex,
  MediaType.ociManifest,
  MediaType.dockerList,
  MediaType.dockerManifest,
].join(', ');

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
}

export interface FetchedManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
}

/** Uploads a blob (a buffer, or seeded content streamed from its generator) and returns its descriptor. */
export async function uploadBlob(
  client: RegistryClient,
  repository: string,
  blob: Buffer | SeededBlob,
): Promise<{ digest: string; size: number }> {
  const digest = Buffer.isBuffer(blob) ? sha256Digest(blob) : blob.digest;
  const size = Buffer.isBuffer(blob) ? blob.length : blob.size;
  const started = await client.expect([202], 'POST', `/v2/${repository}/blobs/uploads/`);
  const location = started.headers.location;
  if (!location) throw new Error(`POST upload to ${repository}: no Location`);
  const target = `${location}${location.includes('?') ? '&' : '?'}digest=${encodeURIComponent(digest)}`;
  await client.expect([201], 'PUT', target, {
    headers: { 'Content-Type': 'application/octet-stream' },
    body: Buffer.isBuffer(blob) ? blob : { open: () => blob.open(), size },
  });
  return { digest, size };
}

/** PUTs a manifest under a tag or its digest; returns its digest (the hash of the exact bytes). */
export async function putManifest(
  client: RegistryClient,
  repository: string,
  reference: string | undefined,
  mediaType: string,
  body: Buffer,
): Promise<string> {
  const digest = sha256Digest(body);
  await client.expect([201], 'PUT', `/v2/${repository}/manifests/${reference ?? digest}`, {
    headers: { 'Content-Type': mediaType },
    body,
  });
  return digest;
}

/** Reads a manifest; the digest is computed from the body, never taken from a header. */
export async function getManifest(
  reg: RegistryFixture,
  repository: string,
  reference: string,
): Promise<FetchedManifest | undefined> {
  const res = await new RegistryClient(reg).expect(
    [200, 404],
    'GET',
    `/v2/${repository}/manifests/${reference}`,
    { headers: { Accept: MANIFEST_ACCEPT } },
  );
  if (res.status === 404) return undefined;
  const header = (res.headers['content-type'] ?? '').split(';')[0]!.trim();
  const declared = (JSON.parse(res.body.toString('utf8')) as { mediaType?: string }).mediaType;
  return { digest: sha256Digest(res.body), mediaType: header || declared || '', body: res.body };
}

/** Tags of a repository ([] when the repository does not exist). */
export async function listTags(reg: RegistryFixture, repository: string): Promise<string[]> {
  const res = await new RegistryClient(reg).expect([200, 404], 'GET', `/v2/${repository}/tags/list`);
  if (res.status === 404) return [];
  return (JSON.parse(res.body.toString('utf8')) as { tags: string[] | null }).tags ?? [];
}

export async function blobExists(reg: RegistryFixture, repository: string, digest: string): Promise<boolean> {
  const res = await new RegistryClient(reg).expect([200, 404], 'HEAD', `/v2/${repository}/blobs/${digest}`);
  return res.status === 200;
}

export async function deleteManifest(
  reg: RegistryFixture,
  repository: string,
  digest: string,
): Promise<void> {
  await new RegistryClient(reg).expect([202], 'DELETE', `/v2/${repository}/manifests/${digest}`);
}
