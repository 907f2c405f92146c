// The Key Vault emulator's keys (EC P-256 and RSA 2048), as the keys REST API shows them:
//  - POST /keys/{name}/create {kty, crv | key_size, key_ops}: a new version (KeyBundle);
//  - PUT /keys/{name} {key: JsonWebKey with its private part}: an imported version (KeyBundle);
//  - GET /keys/{name}[/{version}]: KeyBundle {key: JWK (kid, kty, key_ops, crv x y | n e), attributes};
//  - POST /keys/{name}/{version}/sign {alg, value: base64url digest}: {kid, value: base64url
//    signature}, raw as Key Vault gives it (ES256: r||s, 64 bytes, not DER);
//  - errors: 404 KeyNotFound, 400 BadParameter (algorithm, digest length), 403 Forbidden with
//    innerError ForbiddenByPolicy for a principal whose access policy lacks the permission.
// The private keys stay here: tests sign with them directly (`privateKey`) to make cosign artifacts.
import crypto from 'node:crypto';

export type KeyPermission = 'get' | 'sign' | 'create' | 'import';

export interface StoredKey {
  readonly name: string;
  readonly version: string;
  readonly kty: 'EC' | 'RSA';
  readonly privateKey: crypto.KeyObject;
  readonly publicKey: crypto.KeyObject;
  readonly keyOps: readonly string[];
  readonly enabled: boolean;
  readonly created: number;
}

export interface KeySeed {
  readonly name: string;
  /** EC (P-256, the default) or RSA (2048 bits). */
  readonly kty?: 'EC' | 'RSA';
  /** An existing private key to import instead of a generated one. */
  readonly privateKey?: crypto.KeyObject;
  readonly version?: string;
  readonly keyOps?: readonly string[];
  readonly enabled?: boolean;
}

/** An answer: status and JSON body. */
export interface KeyAnswer {
  readonly status: number;
  readonly body: unknown;
}

const KEY_NAME = /^[0-9a-zA-Z-]{1,127}$/;
const DEFAULT_OPS = ['sign', 'verify'];

/** Digest length and signing parameters of each algorithm the emulator's keys support. */
const ALGORITHMS: Record<string, { kty: 'EC' | 'RSA'; digest: number; pss?: boolean }> = {
  ES256: { kty: 'EC', digest: 32 },
  RS256: { kty: 'RSA', digest: 32 },
  PS256: { kty: 'RSA', digest: 32, pss: true },
};

const error = (status: number, code: string, message: string, inner?: string): KeyAnswer => ({
  status,
  body: { error: { code, message, ...(inner ? { innerError: { code: inner } } : {}) } },
});

/** The public JsonWebKey as Key Vault answers it (kid, kty, key_ops, then the curve or modulus). */
function publicJwk(base: string, k: StoredKey) {
  const jwk = k.publicKey.export({ format: 'jwk' });
  const common = { kid: `${base}/keys/${k.name}/${k.version}`, kty: k.kty, key_ops: k.keyOps };
  return k.kty === 'EC' ? { ...common, crv: jwk.crv, x: jwk.x, y: jwk.y } : { ...common, n: jwk.n, e: jwk.e };
}

export function keyBundle(base: string, k: StoredKey) {
  return {
    key: publicJwk(base, k),
    attributes: {
      enabled: k.enabled,
      created: k.created,
      updated: k.created,
      recoveryLevel: 'Recoverable+Purgeable',
      recoverableDays: 90,
      exportable: false,
    },
  };
}

/** Signs a digest with the raw signature Key Vault answers (ECDSA as r||s). */
function signDigest(k: StoredKey, alg: string, digest: Buffer): Buffer {
  const spec = ALGORITHMS[alg] as { pss?: boolean };
  if (k.kty === 'EC') {
    // Node signs messages, never a given digest: ECDSA over the digest is computed here.
    return ecdsaP256(k.privateKey, digest);
  }
  // RSA: PKCS#1 v1.5 or PSS over the given SHA-256 digest (DigestInfo prefix added here).
  const prefix = Buffer.from('3031300d060960864801650304020105000420', 'hex');
  if (!spec.pss) {
    return crypto.privateEncrypt(
      { key: k.privateKey, padding: crypto.constants.RSA_PKCS1_PADDING },
      Buffer.concat([prefix, digest]),
    );
  }
  return pssSign(k.privateKey, digest);
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

export class KeyVaultKeyStore {
  private readonly keys = new Map<string, StoredKey[]>();

  /** Creates (or imports) a version of a key; returns it, private key included. */
  add(seed: KeySeed): StoredKey {
    if (!KEY_NAME.test(seed.name)) throw new Error(`invalid Key Vault key name '${seed.name}'`);
    const kty = seed.kty ?? (seed.privateKey?.asymmetricKeyType === 'rsa' ? 'RSA' : 'EC');
    const privateKey =
      seed.privateKey ??
      (kty === 'EC'
        ? crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey
        : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
    const stored: StoredKey = {
      name: this.keys.get(seed.name.toLowerCase())?.[0]?.name ?? seed.name,
      version: seed.version ?? crypto.randomBytes(16).toString('hex'),
      kty,
      privateKey,
      publicKey: crypto.createPublicKey(privateKey),
      keyOps: seed.keyOps ?? DEFAULT_OPS,
      enabled: seed.enabled ?? true,
      created: Math.floor(Date.now() / 1000),
    };
    const versions = this.keys.get(seed.name.toLowerCase()) ?? [];
    versions.push(stored);
    this.keys.set(seed.name.toLowerCase(), versions);
    return stored;
  }

  find(name: string, version: string | undefined): StoredKey | undefined {
    const versions = this.keys.get(name.toLowerCase());
    if (!versions) return undefined;
    return version ? versions.find((v) => v.version === version.toLowerCase()) : versions.at(-1);
  }
}

const notFound = (name: string, version: string | undefined): KeyAnswer =>
  error(
    404,
    'KeyNotFound',
    `A key with (name/id) ${version ? `${name}/${version}` : name} was not found in this key vault. ` +
      'If you recently deleted this key you may be able to recover it using the correct recovery command. ' +
      'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182',
  );

/** Key Vault's access-policy refusal (the principal as `appid=...;oid=...`, the vault by name). */
export function forbidden(principal: string, permission: KeyPermission, vault: string): KeyAnswer {
  return error(
    403,
    'Forbidden',
    `The user, group or application '${principal}' does not have keys ${permission} permission on key vault '${vault}'. ` +
      'For help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287',
    'ForbiddenByPolicy',
  );
}

export function getKey(store: KeyVaultKeyStore, base: string, name: string, version?: string): KeyAnswer {
  const k = store.find(name, version);
  if (!k) return notFound(name, version);
  if (!k.enabled)
    return error(403, 'Forbidden', 'Operation get is not allowed on a disabled key.', 'KeyDisabled');
  return { status: 200, body: keyBundle(base, k) };
}

export function signWithKey(
  store: KeyVaultKeyStore,
  base: string,
  name: string,
  version: string | undefined,
  body: unknown,
): KeyAnswer {
  const k = store.find(name, version);
  if (!k) return notFound(name, version);
  if (!k.enabled)
    return error(403, 'Forbidden', 'Operation sign is not allowed on a disabled key.', 'KeyDisabled');
  const { alg, value } = (body ?? {}) as { alg?: unknown; value?: unknown };
  const spec = typeof alg === 'string' ? ALGORITHMS[alg] : undefined;
  if (!spec || spec.kty !== k.kty) {
    return error(400, 'BadParameter', `Invalid algorithm ${String(alg)} for a key of type ${k.kty}.`);
  }
  if (!k.keyOps.includes('sign'))
    return error(403, 'Forbidden', 'Operation sign is not allowed on this key.');
  const digest = typeof value === 'string' ? Buffer.from(value, 'base64url') : Buffer.alloc(0);
  if (digest.length !== spec.digest) {
    return error(
      400,
      'BadParameter',
      `Invalid length of digest: ${digest.length} bytes, ${String(alg)} needs ${spec.digest}.`,
    );
  }
  return {
    status: 200,
    body: {
      kid: `${base}/keys/${k.name}/${k.version}`,
      value: signDigest(k, alg as string, digest).toString('base64url'),
    },
  };
}

/** POST /keys/{name}/create: EC P-256 or RSA 2048. */
export function createKey(store: KeyVaultKeyStore, base: string, name: string, body: unknown): KeyAnswer {
  const { kty, crv, key_size, key_ops } = (body ?? {}) as Record<string, unknown>;
  const ops = Array.isArray(key_ops) ? key_ops.map(String) : undefined;
  if (!KEY_NAME.test(name)) return error(400, 'BadParameter', `Invalid key name '${name}'.`);
  if (kty === 'EC' && (crv === undefined || crv === 'P-256')) {
    return { status: 200, body: keyBundle(base, store.add({ name, kty: 'EC', keyOps: ops })) };
  }
  if (kty === 'RSA' && (key_size === undefined || key_size === 2048)) {
    return { status: 200, body: keyBundle(base, store.add({ name, kty: 'RSA', keyOps: ops })) };
  }
  return error(
    400,
    'BadParameter',
    `This emulator creates EC P-256 and RSA 2048 keys (asked: ${String(kty)}).`,
  );
}

/** PUT /keys/{name}: imports a JsonWebKey with its private part. */
export function importKey(store: KeyVaultKeyStore, base: string, name: string, body: unknown): KeyAnswer {
  const { key } = (body ?? {}) as { key?: crypto.JsonWebKey & { key_ops?: string[] } };
  let privateKey: crypto.KeyObject;
  try {
    privateKey = crypto.createPrivateKey({ key: key as crypto.JsonWebKey, format: 'jwk' });
  } catch (err) {
    return error(400, 'BadParameter', `The key is not a private JsonWebKey (${(err as Error).message}).`);
  }
  return { status: 200, body: keyBundle(base, store.add({ name, privateKey, keyOps: key?.key_ops })) };
}
