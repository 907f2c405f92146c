// Pushes synthetic images to the fixture registry with the fixture's own HTTP code, as its admin:
// single-platform manifests or multi-platform indexes (OCI) / manifest lists (Docker), with
// seeded layer content streamed from a generator (large layers never sit in memory).
import crypto from 'node:crypto';
import { seededBlob } from './blobContent';
import { MediaType, putManifest, uploadBlob } from './distributionApi';
import { RegistryClient } from './registryClient';
import type { RegistryFixture } from './types';

export {
  blobExists,
  deleteManifest,
  getManifest,
  listTags,
  MANIFEST_ACCEPT,
  MediaType,
} from './distributionApi';
export { pushReferrer, type ReferrerKind } from './referrers';

export interface PushImageOptions {
  format: 'oci' | 'docker';
  /** sizes in bytes, default [1024, 4096] */
  layers?: number[];
  /** e.g. ['linux/amd64','linux/arm64']: pushes an OCI index or a Docker manifest list with one child per platform */
  platforms?: string[];
  tag?: string;
  /** different seeds => different content; default: a random seed (unique content) */
  seed?: string;
}

export interface PushedManifest {
  digest: string;
  mediaType: string;
  body: Buffer;
  platform?: string;
  config: { digest: string; size: number };
  layers: { digest: string; size: number }[];
}

export interface PushedImage {
  repository: string;
  tag?: string;
  digest: string;
  mediaType: string;
  body: Buffer;
  /** for single-platform, one entry = the image itself */
  children: PushedManifest[];
  /** unique, all platforms */
  blobs: { digest: string; size: number }[];
}

const DEFAULT_LAYERS = [1024, 4096];
const DEFAULT_PLATFORM = 'linux/amd64';

function parsePlatform(platform: string): { os: string; architecture: string; variant?: string } {
  const [os = '', architecture = '', variant] = platform.split('/');
  if (!os || !architecture) throw new Error(`platform "${platform}" is not os/arch[/variant]`);
  return variant ? { os, architecture, variant } : { os, architecture };
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value, null, 2));

/** Uploads the layers and config of one platform's image and PUTs its manifest. */
async function pushSinglePlatform(
  client: RegistryClient,
  repository: string,
  options: PushImageOptions & { seed: string },
  platform: string,
  reference: string | undefined,
): Promise<PushedManifest> {
  const oci = options.format === 'oci';
  const layers: { digest: string; size: number }[] = [];
  for (const [i, size] of (options.layers ?? DEFAULT_LAYERS).entries()) {
    layers.push(await uploadBlob(client, repository, seededBlob(`${options.seed}/${platform}/${i}`, size)));
  }
  const configBody = json({
    ...parsePlatform(platform),
    created: '2024-01-01T00:00:00Z',
    config: { Labels: { 'fixture.seed': options.seed } },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) },
  });
  const config = await uploadBlob(client, repository, configBody);
  const mediaType = oci ? MediaType.ociManifest : MediaType.dockerManifest;
  const body = json({
    schemaVersion: 2,
    mediaType,
    config: { mediaType: oci ? MediaType.ociConfig : MediaType.dockerConfig, ...config },
    layers: layers.map((l) => ({ mediaType: oci ? MediaType.ociLayer : MediaType.dockerLayer, ...l })),
  });
  const digest = await putManifest(client, repository, reference, mediaType, body);
  return { digest, mediaType, body, platform, config, layers };
}

export async function pushImage(
  reg: RegistryFixture,
  repository: string,
  options: PushImageOptions,
): Promise<PushedImage> {
  const client = new RegistryClient(reg);
  const seeded = { ...options, seed: options.seed ?? crypto.randomUUID() };
  const platforms = options.platforms ?? [];
  const children: PushedManifest[] = [];
  if (platforms.length === 0) {
    children.push(await pushSinglePlatform(client, repository, seeded, DEFAULT_PLATFORM, options.tag));
  } else {
    for (const platform of platforms) {
      children.push(await pushSinglePlatform(client, repository, seeded, platform, undefined));
    }
  }

  const blobs = new Map<string, { digest: string; size: number }>();
  for (const child of children) {
    for (const b of [...child.layers, child.config]) blobs.set(b.digest, { digest: b.digest, size: b.size });
  }
  const common = { repository, tag: options.tag, children, blobs: [...blobs.values()] };
  if (platforms.length === 0) {
    const [image] = children as [PushedManifest];
    return { ...common, digest: image.digest, mediaType: image.mediaType, body: image.body };
  }

  const mediaType = options.format === 'oci' ? MediaType.ociIndex : MediaType.dockerList;
  const body = json({
    schemaVersion: 2,
    mediaType,
    manifests: children.map((c) => ({
      mediaType: c.mediaType,
      digest: c.digest,
      size: c.body.length,
      platform: parsePlatform(c.platform ?? DEFAULT_PLATFORM),
    })),
  });
  const digest = await putManifest(client, repository, options.tag, mediaType, body);
  return { ...common, digest, mediaType, body };
}

/** Re-points `repository:tag` at `image` (already pushed under another tag): a tag that moves. */
export async function retagImage(
  reg: RegistryFixture,
  repository: string,
  tag: string,
  image: PushedImage,
): Promise<void> {
  await putManifest(new RegistryClient(reg), repository, tag, image.mediaType, image.body);
}
