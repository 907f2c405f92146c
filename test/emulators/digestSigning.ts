// Signatures over a given digest, as Key Vault's sign operation makes them: node:crypto signs
// messages (it hashes them itself), so ECDSA P-256 is computed here over the digest and RSA
// PKCS#1 v1.5 and PSS are padded here and applied with the raw private-key operation.
import crypto from 'node:crypto';

/** Signs a digest with the raw signature Key Vault answers (ECDSA as r||s, RSA PKCS#1 v1.5 or PSS). */
export function signDigest(
  privateKey: crypto.KeyObject,
  padding: 'ecdsa' | 'pkcs1' | 'pss',
  digest: Buffer,
): Buffer {
  if (padding === 'ecdsa') {
    // Node signs messages, never a given digest: ECDSA over the digest is computed here.
    return ecdsaP256(privateKey, digest);
  }
  // RSA: PKCS#1 v1.5 or PSS over the given SHA-256 digest (DigestInfo prefix added here).
  const prefix = Buffer.from('3031300d060960864801650304020105000420', 'hex');
  if (padding === 'pkcs1') {
    return crypto.privateEncrypt(
      { key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING },
      Buffer.concat([prefix, digest]),
    );
  }
  return pssSign(privateKey, digest);
}

const P = 2n ** 256n - 2n ** 224n + 2n ** 192n + 2n ** 96n - 1n;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const G: Point = [
  0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
];
type Point = readonly [bigint, bigint] | undefined;

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;
function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1];
  }
  return mod(s0, m);
}
function add(a: Point, b: Point): Point {
  if (!a) return b;
  if (!b) return a;
  if (a[0] === b[0] && mod(a[1] + b[1], P) === 0n) return undefined;
  const l =
    a[0] === b[0]
      ? mod((3n * a[0] * a[0] - 3n) * inverse(2n * a[1], P), P)
      : mod((b[1] - a[1]) * inverse(b[0] - a[0], P), P);
  const x = mod(l * l - a[0] - b[0], P);
  return [x, mod(l * (a[0] - x) - a[1], P)];
}
function multiply(k: bigint, point: Point): Point {
  let result: Point;
  for (let bit = BigInt(k.toString(2).length - 1); bit >= 0n; bit--) {
    result = add(result, result);
    if ((k >> bit) & 1n) result = add(result, point);
  }
  return result;
}
const toBigInt = (b: Buffer) => BigInt(`0x${b.toString('hex') || '0'}`);
const to32 = (v: bigint) => Buffer.from(v.toString(16).padStart(64, '0'), 'hex');

/** ECDSA P-256 over a given 32-byte digest; r||s as Key Vault answers it. */
function ecdsaP256(key: crypto.KeyObject, digest: Buffer): Buffer {
  const d = toBigInt(Buffer.from(key.export({ format: 'jwk' }).d ?? '', 'base64url'));
  const e = toBigInt(digest);
  for (;;) {
    const k = mod(toBigInt(crypto.randomBytes(32)), N);
    const r = k === 0n ? 0n : mod((multiply(k, G) as readonly [bigint, bigint])[0], N);
    const s = mod(inverse(k, N) * (e + r * d), N);
    if (r !== 0n && s !== 0n) return Buffer.concat([to32(r), to32(s)]);
  }
}

/** RSASSA-PSS (SHA-256, MGF1-SHA-256, salt 32) over a given digest. */
function pssSign(key: crypto.KeyObject, digest: Buffer): Buffer {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  const emLen = Math.ceil((bits - 1) / 8);
  const salt = crypto.randomBytes(32);
  const h = crypto
    .createHash('sha256')
    .update(Buffer.concat([Buffer.alloc(8), digest, salt]))
    .digest();
  const db = Buffer.concat([Buffer.alloc(emLen - 32 - 32 - 2), Buffer.from([1]), salt]);
  const mask = Buffer.alloc(db.length);
  for (let i = 0, c = 0; i < db.length; c++) {
    const counter = Buffer.alloc(4);
    counter.writeUInt32BE(c);
    const block = crypto
      .createHash('sha256')
      .update(Buffer.concat([h, counter]))
      .digest();
    block.copy(mask, i);
    i += block.length;
  }
  const masked = Buffer.from(db.map((b, i) => b ^ (mask[i] as number)));
  masked[0] = (masked[0] as number) & (0xff >> (8 * emLen - (bits - 1)));
  const em = Buffer.concat([masked, h, Buffer.from([0xbc])]);
  return crypto.privateEncrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, em);
}
