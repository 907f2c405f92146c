import { digestOf, digestProblem } from '../registry';
import type { ArtifactSource, FetchedManifest } from './source';

/** A layer or config descriptor of a signature manifest. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface SignatureManifest {
  readonly digest: string;
  readonly artifactType?: string;
  readonly layers: readonly Descriptor[];
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Content whose bytes do not hash to the digest that named it: changed after it was written. */
export class TamperedContent extends Error {
  override readonly name = 'TamperedContent';
}

/** Content named by a digest this library cannot compute: refused, never taken unchecked. */
export class UncheckableContent extends Error {
  override readonly name = 'UncheckableContent';
}

/**
 * `bytes` must hash to `expected` (sha256, sha384 or sha512, computed here: a registry's word is
 * not taken); another algorithm, or no valid digest, refuses the content unread.
 */
export function checkDigest(what: string, expected: string, bytes: Buffer): void {
  const problem = digestProblem(expected);
  if (problem) throw new UncheckableContent(`${what} ${expected} cannot be checked: ${problem}`);
  const actual = digestOf(bytes, expected);
  if (actual !== expected) throw new TamperedContent(`${what} ${expected} hashes to ${actual}`);
}

/** Parses a signature manifest; fetched by digest, its bytes must hash to that digest. */
export function parseSignatureManifest(fetched: FetchedManifest, byDigest: boolean): SignatureManifest {
  if (byDigest) checkDigest('manifest', fetched.digest, fetched.bytes);
  const raw = JSON.parse(fetched.bytes.toString('utf8')) as {
    artifactType?: string;
    layers?: Descriptor[];
    annotations?: Record<string, string>;
  };
  return {
    digest: fetched.digest,
    artifactType: raw.artifactType,
    layers: Array.isArray(raw.layers) ? raw.layers : [],
    annotations: raw.annotations,
  };
}

/** A blob, checked against its descriptor's digest. */
export async function fetchBlob(source: ArtifactSource, layer: Descriptor): Promise<Buffer> {
  const bytes = await source.blob(layer.digest);
  checkDigest('blob', layer.digest, bytes);
  return bytes;
}
