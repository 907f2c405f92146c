import type { Bundle } from '@sigstore/bundle';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import type { SignedEntity, Signer as SigstoreSigner, VerifierOptions } from '@sigstore/verify';
import { describeKey, type LoadedKey } from './keys';
import { COSIGN_SIGN_PREDICATE } from './mediaTypes';
import { describeMatcher, type KeylessPolicy, matches } from './policy';
import { checkStatement } from './statement';
import { trustMaterial } from './trustedRoot';
import { reject, type RejectReason, type Verdict } from './verdict';

/** What a Sigstore bundle is checked against; trusted roots are read once per gate run. */
export interface BundleTrust {
  readonly keys: readonly LoadedKey[];
  readonly keyless?: KeylessPolicy;
  readonly keylessRoot: () => Promise<TrustedRoot>;
  /** Keyed bundles: their log entries are checked (and one required) only when a root is given. */
  readonly keyedRoot?: () => Promise<TrustedRoot>;
}

/**
 * Verifies a Sigstore bundle (cosign 3 referrer) with `@sigstore/verify`, then ties it to the
 * image, which the library does not: a DSSE statement must name the digest as its subject, a
 * message signature must sign the image manifest itself. `manifest` returns the image manifest
 * bytes (checked against the digest) for the message-signature form.
 */
export async function verifyBundle(
  bytes: Buffer,
  digest: string,
  trust: BundleTrust,
  manifest: () => Promise<Buffer>,
): Promise<Verdict> {
  const { bundleFromJSON } = await import('./sigstoreLibraries.js');
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(JSON.parse(bytes.toString('utf8')));
  } catch (err) {
    return reject('malformed', `not a Sigstore bundle (${String(err)})`);
  }
  let artifact: Buffer | undefined;
  if (bundle.content.$case === 'messageSignature') {
    const { algorithm, digest: signedBytes } = bundle.content.messageSignature.messageDigest;
    const signed = `${MESSAGE_DIGEST_ALGORITHMS[algorithm] ?? `algorithm ${algorithm}`}:${Buffer.from(signedBytes).toString('hex')}`;
    if (signed !== digest)
      return reject('wrong digest', `the message signature signs ${signed}, not ${digest}`);
    artifact = await manifest();
  }
  const { toSignedEntity } = await import('./sigstoreLibraries.js');
  const entity = toSignedEntity(bundle, artifact);
  const verified =
    entity.key.$case === 'public-key' ? await verifyKeyed(entity, trust) : await verifyKeyless(entity, trust);
  if (!verified.ok) return verified;
  if (bundle.content.$case === 'messageSignature') return verified;
  const envelope = bundle.content.dsseEnvelope;
  const checked = checkStatement(envelope.payloadType, Buffer.from(envelope.payload), digest);
  if (!checked.ok) return reject(checked.reason, checked.detail);
  return checked.statement.predicateType === COSIGN_SIGN_PREDICATE
    ? verified
    : { ...verified, statement: checked.statement };
}

/** The hash algorithms of a message signature's digest (Sigstore HashAlgorithm), as digests name them. */
const MESSAGE_DIGEST_ALGORITHMS: Readonly<Record<number, string>> = { 1: 'sha256', 2: 'sha384', 3: 'sha512' };

async function verifyKeyed(entity: SignedEntity, trust: BundleTrust): Promise<Verdict> {
  if (trust.keys.length === 0) {
    return reject(
      'not trusted by the policy',
      'a keyed bundle, and the trust policy has no cosign public key',
    );
  }
  const root = trust.keyedRoot ? await trust.keyedRoot() : undefined;
  // Without a root the log entries cannot be checked: verify the signature alone, as `cosign
  // verify --key --insecure-ignore-tlog` does, rather than fail on an unknown log key.
  const checked: SignedEntity = root ? entity : { ...entity, tlogEntries: [], timestamps: [] };
  const options: VerifierOptions = { tlogThreshold: root ? 1 : 0, ctlogThreshold: 0, timestampThreshold: 0 };
  const failures: string[] = [];
  for (const key of trust.keys) {
    const material = await trustMaterial(root, () => ({ publicKey: key.key, validFor: () => true }));
    const outcome = await runVerifier(checked, material, options);
    if ('signer' in outcome)
      return { ok: true, signer: { kind: 'cosign key', description: describeKey(key) } };
    if (outcome.code !== 'SIGNATURE_ERROR') return outcome.verdict;
    failures.push(describeKey(key));
  }
  return reject(
    'wrong key',
    `the signature does not verify with ${failures.join(', ')}: signed with another key, or the signed content was changed`,
  );
}

async function verifyKeyless(entity: SignedEntity, trust: BundleTrust): Promise<Verdict> {
  if (!trust.keyless || trust.keyless.identities.length === 0) {
    return reject(
      'not trusted by the policy',
      'a keyless (certificate) bundle, and the trust policy has no keyless identity',
    );
  }
  const material = await trustMaterial(await trust.keylessRoot(), () => {
    throw new Error('a keyless bundle names no public key');
  });
  const outcome = await runVerifier(entity, material, {});
  if (!('signer' in outcome)) return outcome.verdict;
  const san = outcome.signer.identity?.subjectAlternativeName;
  const issuer = outcome.signer.identity?.extensions?.issuer;
  const found = `${san ?? '(no identity)'} (issuer ${issuer ?? 'none'})`;
  // Matched here, exactly or anchored: @sigstore/verify would take the identity as an unanchored regex.
  const allowed = trust.keyless.identities.some((i) => matches(i.identity, san) && matches(i.issuer, issuer));
  if (!allowed) {
    const expected = trust.keyless.identities
      .map((i) => `${describeMatcher(i.identity)} (issuer ${describeMatcher(i.issuer)})`)
      .join(' or ');
    return reject('wrong identity', `signed by ${found}; the policy trusts ${expected}`);
  }
  return { ok: true, signer: { kind: 'cosign keyless', description: found } };
}

type Outcome = { signer: SigstoreSigner } | { code: string; verdict: Verdict };

async function runVerifier(
  entity: SignedEntity,
  material: Awaited<ReturnType<typeof trustMaterial>>,
  options: VerifierOptions,
): Promise<Outcome> {
  const { Verifier, VerificationError } = await import('./sigstoreLibraries.js');
  try {
    return { signer: new Verifier(material, options).verify(entity) };
  } catch (err) {
    const code = err instanceof VerificationError ? err.code : 'ERROR';
    const message = err instanceof Error ? err.message : String(err);
    return { code, verdict: reject(reasonFor(code), `${code}: ${message}`) };
  }
}

function reasonFor(code: string): RejectReason {
  if (code === 'SIGNATURE_ERROR' || code === 'TLOG_BODY_ERROR') return 'tampered';
  if (code === 'CERTIFICATE_ERROR' || code === 'PUBLIC_KEY_ERROR') return 'untrusted certificate';
  if (code.startsWith('TLOG') || code === 'TIMESTAMP_ERROR') return 'unverified transparency log';
  return 'malformed';
}
