/**
 * What the signature gate reads from a registry. Phase 2 implements it over the registry client;
 * tests implement it in memory. Kept small so the gate does not depend on the client's API.
 */

/** A descriptor in a referrers list (OCI 1.1): the referrer manifest and what it carries. */
export interface ReferrerDescriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly artifactType?: string;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** A manifest as the registry served it: the exact bytes and the digest it was asked for or answered with. */
export interface FetchedManifest {
  readonly digest: string;
  readonly bytes: Buffer;
}

export interface ArtifactSource {
  /** Referrers of `digest` in the image's repository (the referrers API or its tag fallback). */
  referrers(digest: string): Promise<readonly ReferrerDescriptor[]>;
  /** The manifest under a tag or digest, or undefined when the registry has none (404). */
  manifest(reference: string): Promise<FetchedManifest | undefined>;
  /** The blob `digest` of the image's repository. */
  blob(digest: string): Promise<Buffer>;
}

/** cosign's tag for the signatures (`.sig`) or attestations (`.att`) of a digest. */
export function cosignTag(digest: string, suffix: 'sig' | 'att'): string {
  return `${digest.replace(':', '-')}.${suffix}`;
}
