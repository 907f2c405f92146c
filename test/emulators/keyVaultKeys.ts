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
import type http from 'node:http';
import { signDigest } from './digestSigning';
import { readBody } from './httpUtil';

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
      value: signDigest(k.privateKey, k.kty === 'EC' ? 'ecdsa' : spec.pss ? 'pss' : 'pkcs1', digest).toString(
        'base64url',
      ),
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

/** Routes a keys request (the token already checked) for `principal`, under its key permissions. */
export async function keyRequest(
  keys: KeyVaultKeyStore,
  req: http.IncomingMessage,
  parts: readonly string[],
  base: string,
  principal: { appid: string; label: string },
  permissions: Readonly<Record<string, readonly KeyPermission[]>>,
): Promise<KeyAnswer> {
  const name = decodeURIComponent(parts[1] ?? '');
  const last = parts.at(-1);
  const [permission, run]: [KeyPermission, (body: unknown) => KeyAnswer] =
    req.method === 'POST' && last === 'sign' && parts.length <= 4
      ? ['sign', (body) => signWithKey(keys, base, name, parts.length === 4 ? parts[2] : undefined, body)]
      : req.method === 'POST' && last === 'create' && parts.length === 3
        ? ['create', (body) => createKey(keys, base, name, body)]
        : req.method === 'PUT' && parts.length === 2
          ? ['import', (body) => importKey(keys, base, name, body)]
          : ['get', () => getKey(keys, base, name, parts[2])];
  const granted = permissions[principal.appid];
  if (granted && !granted.includes(permission))
    return forbidden(principal.label, permission, new URL(base).host);
  const text = req.method === 'GET' ? '' : await readBody(req);
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    return error(400, 'BadParameter', 'The request body is not JSON.');
  }
  return run(body);
}
