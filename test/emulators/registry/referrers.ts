// Pushes artifacts that refer to an image (OCI 1.1 `subject`) and makes them discoverable the
// way clients do on a registry without the referrers API (distribution 2.8): the referrers tag
// fallback `sha256-<hex>` (an OCI index listing referrers), or cosign's `sha256-<hex>.sig|.att|.sbom` tags.
import crypto from 'node:crypto';
import { sha256Digest } from './blobContent';
import { getManifest, MediaType, putManifest, uploadBlob, type Descriptor } from './distributionApi';
import type { PushedImage } from './images';
import { RegistryClient } from './registryClient';
import type { RegistryFixture } from './types';

export type ReferrerKind = 'fallback-index' | 'cosign-sig' | 'cosign-att' | 'cosign-sbom';

const DEFAULT_ARTIFACT_TYPE = 'application/vnd.registry-fixture.test+json';

/** Layer media type and tag suffix of each cosign kind. */
const COSIGN: Record<Exclude<ReferrerKind, 'fallback-index'>, { layerType: string; suffix: string }> = {
  'cosign-sig': { layerType: 'application/vnd.dev.cosign.simplesigning.v1+json', suffix: 'sig' },
  'cosign-att': { layerType: 'application/vnd.dsse.envelope.v1+json', suffix: 'att' },
  'cosign-sbom': { layerType: 'text/spdx+json', suffix: 'sbom' },
};

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value, null, 2));

/** The referrers-API fallback tag of a digest: `sha256:abc` -> `sha256-abc`. */
export function fallbackTag(digest: string): string {
  return digest.replace(':', '-');
}

/** Adds a descriptor to the `sha256-<hex>` fallback index (created when missing). */
async function appendToFallbackIndex(
  reg: RegistryFixture,
  client: RegistryClient,
  repository: string,
  subjectDigest: string,
  descriptor: Descriptor & { artifactType?: string },
): Promise<void> {
  const tag = fallbackTag(subjectDigest);
  const existing = await getManifest(reg, repository, tag);
  const manifests = existing
    ? ((JSON.parse(existing.body.toString('utf8')) as { manifests?: Descriptor[] }).manifests ?? [])
    : [];
  if (!manifests.some((m) => m.digest === descriptor.digest)) manifests.push(descriptor);
  const index = json({ schemaVersion: 2, mediaType: MediaType.ociIndex, manifests });
  await putManifest(client, repository, tag, MediaType.ociIndex, index);
}

export async function pushReferrer(
  reg: RegistryFixture,
  repository: string,
  subjectDigest: string,
  kind: ReferrerKind,
  options: { artifactType?: string; seed?: string } = {},
): Promise<PushedImage> {
  const client = new RegistryClient(reg);
  const subject = await getManifest(reg, repository, subjectDigest);
  if (!subject) throw new Error(`pushReferrer: ${repository}@${subjectDigest} does not exist`);
  const seed = options.seed ?? crypto.randomUUID();
  const cosign = kind === 'fallback-index' ? undefined : COSIGN[kind];

  const payload = json({
    critical: {
      identity: { 'docker-reference': `${reg.host}/${repository}` },
      image: { 'docker-manifest-digest': subjectDigest },
      type: `registry-fixture ${kind}`,
    },
    optional: { seed },
  });
  const layer = await uploadBlob(client, repository, payload);
  const configBody = cosign
    ? json({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [layer.digest] } })
    : Buffer.from('{}');
  const config = await uploadBlob(client, repository, configBody);
  const artifactType = options.artifactType ?? (cosign ? undefined : DEFAULT_ARTIFACT_TYPE);
  const body = json({
    schemaVersion: 2,
    mediaType: MediaType.ociManifest,
    ...(artifactType ? { artifactType } : {}),
    config: { mediaType: cosign ? MediaType.ociConfig : MediaType.ociEmpty, ...config },
    layers: [
      {
        mediaType: cosign?.layerType ?? 'application/vnd.registry-fixture.payload+json',
        ...layer,
        annotations:
          cosign?.suffix === 'sig' ? { 'dev.cosignproject.cosign/signature': sha256Digest(payload) } : {},
      },
    ],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.body.length },
  });

  const tag = cosign ? `${fallbackTag(subjectDigest)}.${cosign.suffix}` : undefined;
  const digest = await putManifest(client, repository, tag, MediaType.ociManifest, body);
  if (!cosign) {
    await appendToFallbackIndex(reg, client, repository, subjectDigest, {
      mediaType: MediaType.ociManifest,
      digest,
      size: body.length,
      ...(artifactType ? { artifactType } : {}),
    });
  }
  const blobs = [config, layer];
  return {
    repository,
    tag,
    digest,
    mediaType: MediaType.ociManifest,
    body,
    children: [{ digest, mediaType: MediaType.ociManifest, body, config, layers: [layer] }],
    blobs,
  };
}
