// A Key Vault key as a cosign key: its public key as PEM (for the trust policy), and a signer
// that hashes locally, sends only the SHA-256 digest to the vault's sign operation, and returns
// the DER signature cosign and Sigstore expect (Key Vault answers ECDSA as r||s).
import crypto from 'node:crypto';
import { UserError } from '../errors';
import type { PayloadSigner, TrustedKey } from '../signatures';
import type { KeyReference } from './keyReference';
import type { KeyVaultKeys, VaultKey } from './keyVaultKeys';

/** The signature algorithm for a key: ES256 for EC P-256, RS256 (PKCS#1 v1.5, as cosign) for RSA. */
export function signingAlgorithm(key: VaultKey, ref: KeyReference): 'ES256' | 'RS256' {
  const details = key.publicKey.asymmetricKeyDetails;
  if (key.publicKey.asymmetricKeyType === 'ec' && details?.namedCurve === 'prime256v1') return 'ES256';
  if (key.publicKey.asymmetricKeyType === 'rsa' && (details?.modulusLength ?? 0) >= 2048) return 'RS256';
  throw new UserError(
    `${ref.text} (${key.kid}) is a ${key.kty} key ${details?.namedCurve ?? `of ${details?.modulusLength ?? '?'} bits`}: ` +
      'signing with SHA-256 needs an EC P-256 key or an RSA key of at least 2048 bits.',
  );
}

/** ECDSA r||s (IEEE P1363, as Key Vault and JWS give it) as an ASN.1 DER SEQUENCE of two INTEGERs. */
export function p1363ToDer(signature: Buffer): Buffer {
  if (signature.length === 0 || signature.length % 2 !== 0) {
    throw new UserError(`An ECDSA signature of ${signature.length} bytes is not r||s.`);
  }
  const integer = (half: Buffer) => {
    let i = 0;
    while (i < half.length - 1 && half[i] === 0) i++;
    const trimmed = half.subarray(i);
    const value = (trimmed[0] as number) & 0x80 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed;
    return Buffer.concat([Buffer.from([0x02, value.length]), value]);
  };
  const half = signature.length / 2;
  const body = Buffer.concat([integer(signature.subarray(0, half)), integer(signature.subarray(half))]);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), length, body]);
}

const pemOf = (key: crypto.KeyObject) => key.export({ format: 'pem', type: 'spki' }).toString();

/** The key's public key for a trust policy, named by its key id (with the version read). */
export async function readTrustedKey(keys: KeyVaultKeys, ref: KeyReference): Promise<TrustedKey> {
  const key = await keys.getKey(ref);
  signingAlgorithm(key, ref);
  return { name: key.kid, pem: pemOf(key.publicKey) };
}

/**
 * A signer over one key version: the version is read once (the current one, unless the reference
 * names it) and every signature is made with exactly that version, so the public key the signer
 * reports is the one that verifies its signatures. Each signature is checked before it is returned.
 */
export async function createKeyVaultSigner(keys: KeyVaultKeys, ref: KeyReference): Promise<PayloadSigner> {
  const key = await keys.getKey(ref);
  const alg = signingAlgorithm(key, ref);
  if (key.keyOps.length > 0 && !key.keyOps.includes('sign')) {
    throw new UserError(
      `${ref.text} (${key.kid}) does not allow signing: its permitted operations are ${key.keyOps.join(', ')}. ` +
        "Create the key with the 'sign' operation.",
    );
  }
  const pem = pemOf(key.publicKey);
  return {
    keyId: key.kid,
    publicKeyPem: () => Promise.resolve(pem),
    async sign(data) {
      const digest = crypto.createHash('sha256').update(data).digest();
      const raw = await keys.sign(ref, key.kid, alg, digest);
      // Checked against the public key by whoever stores it (signatures/recordArtifact's signChecked).
      return alg === 'ES256' ? p1363ToDer(raw) : raw;
    },
  };
}
