// Signed images in the real registry fixture: an image pushed with the fixture's helpers, then the
// signatures the phase-1 helpers (test/common/signatures) build in a MemoryRegistry published next
// to it as cosign and Notation write them to a registry without the referrers API: blobs, `.sig`/
// `.att` tags, referrer manifests by digest and the OCI fallback index `sha256-<hex>` listing them.
import type { RegistryFixture } from '../emulators/registry';
import { putManifest, uploadBlob } from '../emulators/registry/distributionApi';
import { getManifest, pushImage } from '../emulators/registry/images';
import { fallbackTag } from '../emulators/registry/referrers';
import { RegistryClient } from '../emulators/registry/registryClient';
import { MemoryRegistry, OCI_MANIFEST, type Descriptor } from '../common/signatures/memoryRegistry';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

export interface SignableImage {
  readonly repository: string;
  readonly image: Descriptor;
  /** Where the signatures are built: it holds the image manifest (for manifest-signing helpers). */
  readonly memory: MemoryRegistry;
}

/** A single-platform OCI image pushed to `reg`, and an empty MemoryRegistry holding its manifest. */
export async function signableImage(
  reg: RegistryFixture,
  repository: string,
  tag: string,
): Promise<SignableImage> {
  const pushed = await pushImage(reg, repository, { format: 'oci', layers: [512], tag });
  const memory = new MemoryRegistry();
  memory.manifests.set(pushed.digest, pushed.body);
  return {
    repository,
    image: { mediaType: OCI_MANIFEST, digest: pushed.digest, size: pushed.body.length },
    memory,
  };
}

interface StoredManifest {
  readonly subject?: { digest: string };
  readonly artifactType?: string;
  readonly annotations?: Record<string, string>;
}

/**
 * Publishes what `memory` holds besides the images in `skip`: every blob, every manifest (under
 * its tags, else by digest) and, per subject, the fallback index listing its referrers.
 */
export async function publishSignatures(
  reg: RegistryFixture,
  repository: string,
  memory: MemoryRegistry,
  skip: readonly string[],
): Promise<void> {
  const client = new RegistryClient(reg);
  for (const bytes of memory.blobs.values()) await uploadBlob(client, repository, bytes);
  const tagsOf = new Map<string, string[]>();
  for (const [tag, digest] of memory.tags) tagsOf.set(digest, [...(tagsOf.get(digest) ?? []), tag]);
  const referrers = new Map<string, object[]>();
  for (const [digest, bytes] of memory.manifests) {
    if (skip.includes(digest)) continue;
    for (const tag of tagsOf.get(digest) ?? [undefined])
      await putManifest(client, repository, tag, OCI_MANIFEST, bytes);
    const m = JSON.parse(bytes.toString('utf8')) as StoredManifest;
    if (!m.subject) continue;
    const listed = referrers.get(m.subject.digest) ?? [];
    listed.push({
      mediaType: OCI_MANIFEST,
      digest,
      size: bytes.length,
      ...(m.artifactType ? { artifactType: m.artifactType } : {}),
      ...(m.annotations ? { annotations: m.annotations } : {}),
    });
    referrers.set(m.subject.digest, listed);
  }
  for (const [subject, manifests] of referrers) {
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    await putManifest(client, repository, fallbackTag(subject), OCI_INDEX, index);
  }
}

/** Publishes the signatures built for `signed` (its image manifest is already in the registry). */
export const publish = (reg: RegistryFixture, signed: SignableImage): Promise<void> =>
  publishSignatures(reg, signed.repository, signed.memory, [signed.image.digest]);

/** Whether `repository:tag` exists in `reg`. */
export async function hasTag(reg: RegistryFixture, repository: string, tag: string): Promise<boolean> {
  return (await getManifest(reg, repository, tag)) !== undefined;
}
