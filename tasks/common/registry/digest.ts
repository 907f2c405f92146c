import crypto from 'node:crypto';
import { UserError } from '../errors';

/** Hex lengths of the digest algorithms a registry may use (OCI image-spec, go-digest). */
const HEX_LENGTH: Record<string, number> = { sha256: 64, sha384: 96, sha512: 128 };

/**
 * Why `text` is not a digest this library can verify, or undefined when it is one.
 * Same rules as go-digest's Validate: a known algorithm and lower-case hex of its exact length.
 */
export function digestProblem(text: string): string | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return 'a digest has the form <algorithm>:<hex>, e.g. sha256:<64 hex characters>';
  const algorithm = text.slice(0, colon);
  const hex = text.slice(colon + 1);
  const length = HEX_LENGTH[algorithm];
  if (length === undefined) {
    return `the digest algorithm "${algorithm}" is not supported (use sha256, sha384 or sha512)`;
  }
  if (!/^[a-f0-9]*$/.test(hex)) return `a ${algorithm} digest is lower-case hexadecimal`;
  if (hex.length !== length) {
    return `a ${algorithm} digest has ${length} hexadecimal characters, this one has ${hex.length}`;
  }
  return undefined;
}

/** Returns `text` when it is a valid digest; throws a UserError naming `what` otherwise. */
export function validateDigest(text: string, what: string): string {
  const problem = digestProblem(text);
  if (problem) throw new UserError(`Invalid digest "${text}" (${what}): ${problem}.`);
  return text;
}

export function digestAlgorithm(digest: string): string {
  return digest.slice(0, digest.indexOf(':'));
}

/** The digest of `bytes` with the algorithm of `like` (sha256 when not given). */
export function digestOf(bytes: Buffer, like?: string): string {
  const algorithm = like ? digestAlgorithm(like) : 'sha256';
  return `${algorithm}:${crypto.createHash(algorithm).update(bytes).digest('hex')}`;
}

/** `sha256:abc` -> `sha256-abc`: the tag form used by the referrers fallback and by cosign. */
export function digestTag(digest: string): string {
  return digest.replace(':', '-');
}

/** Why the content hashed into `hash` is not `expected`, or undefined when it is (consumes `hash`). */
export function digestMismatch(hash: crypto.Hash, expected: string): string | undefined {
  const actual = `${digestAlgorithm(expected)}:${hash.digest('hex')}`;
  return actual === expected ? undefined : `the content has digest ${actual}, expected ${expected}`;
}
