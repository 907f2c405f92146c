// An in-memory stand-in for the registry, for engine unit tests: digests derived from the
// reference (so expected files are stable), every lookup recorded, chosen references missing.
import crypto from 'node:crypto';
import type { ImageReference } from '../../tasks/common/registry/reference';
import type { ImageResolver, ResolvedImage } from '../../tasks/common/pinning/types';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

/** The digest the fake registry gives a canonical reference (or one of its platforms). */
export function fakeDigest(text: string): string {
  return `sha256:${crypto.createHash('sha256').update(text).digest('hex')}`;
}

export class FakeRegistry {
  /** Canonical references looked up, in order. */
  readonly calls: string[] = [];
  /** Canonical references (tags or digests) the registry does not have. */
  readonly missing = new Set<string>();
  /** Tags that now name another digest than fakeDigest(reference). */
  readonly moved = new Map<string, string>();
  private inFlight = 0;
  maxInFlight = 0;

  readonly resolve: ImageResolver = async (ref: ImageReference): Promise<ResolvedImage> => {
    const key = ref.toString();
    this.calls.push(key);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.missing.has(key)) throw new Error(`${key}: MANIFEST_UNKNOWN (HTTP 404)`);
      const digest = ref.digest ?? this.moved.get(key) ?? fakeDigest(key);
      const children = [fakeDigest(`${digest}/linux/amd64`), fakeDigest(`${digest}/linux/arm64`)];
      return {
        digest,
        mediaType: OCI_INDEX,
        platforms: ['linux/amd64', 'linux/arm64'],
        childDigests: children,
      };
    } finally {
      this.inFlight -= 1;
    }
  };
}
