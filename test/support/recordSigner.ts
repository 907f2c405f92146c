// A PayloadSigner over a node:crypto ECDSA P-256 key (what `cosign generate-key-pair` makes), and
// an offline Sigstore-library check of a stored promotion record against a public key: what
// `cosign verify-attestation --key` does with a cosign 3 bundle (no transparency log required).
import crypto from 'node:crypto';
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import type { PayloadSigner } from '../../tasks/common/signatures';

export interface TestSigner extends PayloadSigner {
  readonly publicPem: string;
}

export function ecdsaSigner(keyId = 'test-keys/promotion/1'): TestSigner {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  return {
    keyId,
    publicPem,
    publicKeyPem: () => Promise.resolve(publicPem),
    // DER (ASN.1) ECDSA signature over SHA-256, as Key Vault's ES256 signature re-encoded would be.
    sign: (data) => Promise.resolve(crypto.sign('sha256', data, privateKey)),
  };
}

const EMPTY_ROOT = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

/** Verifies a stored Sigstore bundle with `@sigstore/verify` against `publicPem`; throws if it does not verify. */
export function verifyBundleWithKey(bundleBytes: Buffer, publicPem: string): void {
  const bundle = bundleFromJSON(JSON.parse(bundleBytes.toString('utf8')));
  const material = toTrustMaterial(EMPTY_ROOT, () => ({
    publicKey: crypto.createPublicKey(publicPem),
    validFor: () => true,
  }));
  new Verifier(material, { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 }).verify(
    toSignedEntity(bundle),
  );
}
