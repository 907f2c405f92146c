import crypto from 'node:crypto';
import { UserError } from '../errors';
import type { TrustedKey } from './policy';

/** A trusted public key, ready to verify, with the id it is named by in the log. */
export interface LoadedKey {
  readonly name: string;
  /** `sha256:<first 16 hex>` of the DER SubjectPublicKeyInfo: the same key gives the same id anywhere. */
  readonly id: string;
  readonly key: crypto.KeyObject;
}

export function loadKeys(keys: readonly TrustedKey[]): LoadedKey[] {
  return keys.map(({ name, pem }) => {
    let key: crypto.KeyObject;
    try {
      key = crypto.createPublicKey(pem);
    } catch (err) {
      throw new UserError(
        `${name}: not a PEM public key (-----BEGIN PUBLIC KEY-----) that cosign could verify with (${String(err)}).`,
      );
    }
    return { name, id: keyId(key), key };
  });
}

export function keyId(key: crypto.KeyObject): string {
  const der = key.export({ format: 'der', type: 'spki' });
  return `sha256:${crypto.createHash('sha256').update(der).digest('hex').slice(0, 16)}`;
}

export function describeKey(k: LoadedKey): string {
  return `key ${k.name} (${k.id})`;
}

/** Verifies `signature` over `data` with the first key that accepts it. */
export function findVerifyingKey(
  keys: readonly LoadedKey[],
  data: Buffer,
  signature: Buffer,
): LoadedKey | undefined {
  return keys.find((k) => {
    try {
      return crypto.verify('sha256', data, k.key, signature);
    } catch {
      return false;
    }
  });
}
