// An in-memory repository implementing the gate's ArtifactSource: manifests by digest and tag,
// blobs, and referrers computed from the stored manifests' `subject` as a registry computes them.
import crypto from 'node:crypto';
import type { ArtifactSource, FetchedManifest, ReferrerDescriptor } from '../../../tasks/common/signatures';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export const sha256 = (bytes: Buffer): string =>
  `sha256:${crypto.createHash('sha256').update(bytes).digest('hex')}`;

export class MemoryRegistry implements ArtifactSource {
  readonly blobs = new Map<string, Buffer>();
  readonly manifests = new Map<string, Buffer>();
  readonly tags = new Map<string, string>();
  /** Set to false to behave as a registry without the referrers API and no fallback index. */
  referrersApi = true;
  readonly requests: string[] = [];

  putBlob(bytes: Buffer, mediaType: string, annotations?: Record<string, string>): Descriptor {
    const digest = sha256(bytes);
    this.blobs.set(digest, bytes);
    return { mediaType, digest, size: bytes.length, ...(annotations ? { annotations } : {}) };
  }

  putManifest(manifest: object, tag?: string): Descriptor {
    const bytes = Buffer.from(JSON.stringify(manifest));
    const digest = sha256(bytes);
    this.manifests.set(digest, bytes);
    if (tag) this.tags.set(tag, digest);
    return { mediaType: OCI_MANIFEST, digest, size: bytes.length };
  }

  emptyConfig(): Descriptor {
    return this.putBlob(Buffer.from('{}'), OCI_EMPTY);
  }

  /** A small image (config and one layer) under `tag`; its descriptor. */
  pushImage(tag: string, content = tag): Descriptor {
    const config = this.putBlob(
      Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux' })),
      'application/vnd.oci.image.config.v1+json',
    );
    const layer = this.putBlob(Buffer.from(content), 'application/vnd.oci.image.layer.v1.tar');
    return this.putManifest({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer] }, tag);
  }

  /** Replaces stored bytes under an unchanged digest, as a tampering registry or storage would. */
  overwrite(digest: string, bytes: Buffer): void {
    if (this.blobs.has(digest)) this.blobs.set(digest, bytes);
    else this.manifests.set(digest, bytes);
  }

  referrers(digest: string): Promise<readonly ReferrerDescriptor[]> {
    this.requests.push(`referrers ${digest}`);
    if (!this.referrersApi) return Promise.resolve([]);
    const found: ReferrerDescriptor[] = [];
    for (const [d, bytes] of this.manifests) {
      const m = JSON.parse(bytes.toString('utf8')) as {
        subject?: { digest: string };
        artifactType?: string;
        config?: { mediaType: string };
        annotations?: Record<string, string>;
      };
      if (m.subject?.digest !== digest) continue;
      found.push({
        mediaType: OCI_MANIFEST,
        digest: d,
        size: bytes.length,
        artifactType: m.artifactType ?? m.config?.mediaType,
        ...(m.annotations ? { annotations: m.annotations } : {}),
      });
    }
    return Promise.resolve(found);
  }

  manifest(reference: string): Promise<FetchedManifest | undefined> {
    this.requests.push(`manifest ${reference}`);
    const digest = reference.startsWith('sha256:') ? reference : this.tags.get(reference);
    const bytes = digest && this.manifests.get(digest);
    return Promise.resolve(digest && bytes ? { digest, bytes } : undefined);
  }

  blob(digest: string): Promise<Buffer> {
    this.requests.push(`blob ${digest}`);
    const bytes = this.blobs.get(digest);
    return bytes ? Promise.resolve(bytes) : Promise.reject(new Error(`blob ${digest} not found`));
  }
}
