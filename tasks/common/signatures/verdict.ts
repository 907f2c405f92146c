/** What one candidate signature or attestation came to. */

/** Why a candidate does not verify; each maps to what the user checks. */
export type RejectReason =
  | 'tampered'
  | 'unreadable'
  | 'wrong key'
  | 'wrong identity'
  | 'wrong digest'
  | 'untrusted certificate'
  | 'unverified transparency log'
  | 'not trusted by the policy'
  | 'unsupported'
  | 'malformed';

/** Who signed an accepted candidate. */
export interface Signer {
  readonly kind: 'cosign key' | 'cosign keyless' | 'notation';
  /** A key id (`key NAME (sha256:…)`), a certificate identity and issuer, or a certificate subject. */
  readonly description: string;
}

/** An in-toto statement whose signature verified and whose subject is the digest. */
export interface VerifiedStatement {
  readonly predicateType: string;
  readonly predicate: unknown;
}

export type Verdict =
  | {
      readonly ok: true;
      readonly signer: Signer;
      /** Set for attestations (DSSE statements other than cosign's signing statement). */
      readonly statement?: VerifiedStatement;
    }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

/** A candidate found for the image: where it was and what it came to. */
export interface Candidate {
  /** E.g. `referrer sha256:… (Sigstore bundle)` or `tag sha256-….sig layer 1`. */
  readonly where: string;
  readonly verdict: Verdict;
}

export const reject = (reason: RejectReason, detail: string): Verdict => ({ ok: false, reason, detail });
