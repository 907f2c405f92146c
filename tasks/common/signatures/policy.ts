import { UserError } from '../errors';

/**
 * The trust policy the gate verifies against: what the task inputs become once read and
 * validated. Every part is optional, but a policy trusts at least one signer.
 */
export interface TrustPolicy {
  /** cosign public keys (PEM, SPKI): legacy `.sig`/`.att` tags and keyed Sigstore bundles. */
  readonly cosignKeys?: readonly TrustedKey[];
  /** cosign keyless: Fulcio certificates whose identity and issuer match, under a trusted root. */
  readonly keyless?: KeylessPolicy;
  /**
   * For keyed bundles only: check their transparency-log entries against this trusted root
   * (Sigstore `trusted_root.json`). Without it the entries are not checked and not required.
   */
  readonly keyedTrustedRootFile?: string;
  /** Notation: JWS envelopes whose certificate chain ends in a trusted certificate. */
  readonly notation?: NotationPolicy;
  /** Attestations that must be present, signed under this policy, with the digest as subject. */
  readonly requiredAttestations?: readonly RequiredAttestation[];
}

export interface TrustedKey {
  /** How the key is named in messages (an input name, a file, a Key Vault key id). */
  readonly name: string;
  readonly pem: string;
}

export interface KeylessPolicy {
  /** Sigstore `trusted_root.json` (Fulcio CAs, Rekor and CT log keys, TSAs), read offline. */
  readonly trustedRootFile: string;
  /** A certificate counts when it matches any of these. */
  readonly identities: readonly KeylessIdentity[];
}

export interface KeylessIdentity {
  /** The certificate's subject alternative name (an e-mail address or a URI). */
  readonly identity: Matcher;
  /** The OIDC issuer recorded in the certificate. */
  readonly issuer: Matcher;
}

export interface NotationPolicy {
  /** Trusted certificates (PEM, one or more): roots, intermediates or exact signing leaves. */
  readonly trustedCertificates: string;
  /** The signing certificate's subject, e.g. `CN=release, O=Contoso` (attribute order free); absent: any. */
  readonly subject?: string;
}

export interface RequiredAttestation {
  readonly predicateType: string;
  /** SLSA provenance only: constraints on the builder and the source repository. */
  readonly builderId?: Matcher;
  readonly sourceRepository?: Matcher;
}

/** Exact means exact; a regular expression must match the whole value (it is anchored). */
export type Matcher = { readonly exact: string } | { readonly regex: string };

export function describeMatcher(m: Matcher): string {
  return 'exact' in m ? `"${m.exact}"` : `/^(?:${m.regex})$/`;
}

export function matches(m: Matcher, value: string | undefined): boolean {
  if (value === undefined) return false;
  if ('exact' in m) return value === m.exact;
  return new RegExp(`^(?:${m.regex})$`).test(value);
}

/**
 * Checks a policy once, before anything is read from a registry: it trusts someone, every
 * regular expression compiles, every key is a public key. `input` names where the policy came from.
 */
export function validateTrustPolicy(policy: TrustPolicy, input: string): void {
  const trustsSomeone =
    (policy.cosignKeys?.length ?? 0) > 0 ||
    (policy.keyless?.identities.length ?? 0) > 0 ||
    policy.notation !== undefined;
  if (!trustsSomeone) {
    throw new UserError(
      `${input}: the trust policy names no signer. Give a cosign public key, a keyless identity with its issuer, or Notation trusted certificates.`,
    );
  }
  const regexes: Matcher[] = [
    ...(policy.keyless?.identities.flatMap((i) => [i.identity, i.issuer]) ?? []),
    ...(policy.requiredAttestations?.flatMap((a) => [a.builderId, a.sourceRepository]) ?? []).filter(
      (m): m is Matcher => m !== undefined,
    ),
  ];
  for (const m of regexes) {
    if ('regex' in m) {
      try {
        new RegExp(m.regex);
      } catch (err) {
        throw new UserError(`${input}: "${m.regex}" is not a valid regular expression (${String(err)}).`);
      }
    }
  }
}
