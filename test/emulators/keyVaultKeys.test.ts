// The Key Vault emulator's keys as the keys REST API documents them, over raw HTTPS with tokens
// from the Entra ID emulator: JSON web keys, the sign operation's raw signatures, and errors.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import {
  CLIENT_ID,
  TENANT,
  inProcessCredential,
  startKeyVaultTestEnvironment,
  type KeyVaultTestEnvironment,
} from '../support/keyVaultEnvironment';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

function call(
  env: KeyVaultTestEnvironment,
  method: string,
  pathAndQuery: string,
  token: string | undefined,
  body?: unknown,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      `${env.vault.url}${pathAndQuery}`,
      {
        method,
        ca: fs.readFileSync(env.entra.caFile),
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body !== undefined ? JSON.stringify(body) : undefined);
  });
}

const API = 'api-version=7.5';
const sha256 = (data: Buffer) => crypto.createHash('sha256').update(data).digest();
const errorOf = (a: Answer) =>
  a.body['error'] as { code: string; message: string; innerError?: { code: string } };

describe('Key Vault emulator: keys (raw REST)', function () {
  this.timeout(60_000);
  let env: KeyVaultTestEnvironment;
  let token: string;

  before(async () => {
    env = await startKeyVaultTestEnvironment([]);
    token = (await inProcessCredential(env).credential.getToken('https://vault.azure.net/.default')).token;
  });
  after(async () => {
    await env?.stop();
  });
  afterEach(() => env.vault.configure({ keyPermissions: {} }));

  it('answers a key request without a token with the 401 challenge', async () => {
    env.vault.addKey({ name: 'challenge-key' });
    const answer = await call(env, 'GET', `/keys/challenge-key?${API}`, undefined);
    assert.equal(answer.status, 401);
    assert.equal(
      answer.headers['www-authenticate'],
      `Bearer authorization="${env.entra.url}/${TENANT}", resource="https://vault.azure.net"`,
    );
  });

  it('serves an EC P-256 key as a JSON web key with kid, kty, crv, x, y and key_ops, latest or by version', async () => {
    const old = env.vault.addKey({ name: 'ec-key' });
    const latest = env.vault.addKey({ name: 'ec-key' });
    const got = await call(env, 'GET', `/keys/ec-key?${API}`, token);
    assert.equal(got.status, 200);
    const jwk = got.body['key'] as Record<string, unknown>;
    assert.equal(jwk['kid'], `${env.vault.url}/keys/ec-key/${latest.version}`);
    assert.deepEqual([jwk['kty'], jwk['crv'], jwk['key_ops']], ['EC', 'P-256', ['sign', 'verify']]);
    assert.equal(jwk['d'], undefined, 'no private part');
    const pub = crypto.createPublicKey({
      key: { kty: 'EC', crv: 'P-256', x: jwk['x'], y: jwk['y'] } as crypto.JsonWebKey,
      format: 'jwk',
    });
    assert.ok(pub.equals(latest.publicKey));
    const byVersion = await call(env, 'GET', `/keys/ec-key/${old.version}?${API}`, token);
    assert.equal(
      (byVersion.body['key'] as { kid: string }).kid,
      `${env.vault.url}/keys/ec-key/${old.version}`,
    );
  });

  it('signs a SHA-256 digest with ES256 as raw r||s (64 bytes, not DER) that the key verifies', async () => {
    const key = env.vault.addKey({ name: 'sign-ec' });
    const data = Buffer.from('DSSEv1 28 application/vnd.in-toto+json 2 {}');
    const signed = await call(env, 'POST', `/keys/sign-ec/${key.version}/sign?${API}`, token, {
      alg: 'ES256',
      value: sha256(data).toString('base64url'),
    });
    assert.equal(signed.status, 200);
    assert.equal(signed.body['kid'], `${env.vault.url}/keys/sign-ec/${key.version}`);
    const signature = Buffer.from(String(signed.body['value']), 'base64url');
    assert.equal(signature.length, 64);
    assert.ok(crypto.verify('sha256', data, { key: key.publicKey, dsaEncoding: 'ieee-p1363' }, signature));
    assert.equal(crypto.verify('sha256', data, key.publicKey, signature), false, 'not DER');
  });

  it('creates and imports RSA 2048 keys (n, e) and signs with RS256 and PS256', async () => {
    const created = await call(env, 'POST', `/keys/rsa-created/create?${API}`, token, {
      kty: 'RSA',
      key_size: 2048,
    });
    assert.equal(created.status, 200);
    const jwk = created.body['key'] as Record<string, string>;
    assert.deepEqual([jwk['kty'], typeof jwk['n'], jwk['e']], ['RSA', 'string', 'AQAB']);
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const imported = await call(env, 'PUT', `/keys/rsa-imported?${API}`, token, {
      key: { ...privateKey.export({ format: 'jwk' }), key_ops: ['sign', 'verify'] },
    });
    assert.equal(imported.status, 200);
    const kid = (imported.body['key'] as { kid: string }).kid;
    const data = Buffer.from('payload');
    for (const [alg, padding] of [
      ['RS256', crypto.constants.RSA_PKCS1_PADDING],
      ['PS256', crypto.constants.RSA_PKCS1_PSS_PADDING],
    ] as const) {
      const signed = await call(env, 'POST', `${new URL(kid).pathname}/sign?${API}`, token, {
        alg,
        value: sha256(data).toString('base64url'),
      });
      const sig = Buffer.from(String(signed.body['value']), 'base64url');
      assert.ok(crypto.verify('sha256', data, { key: publicKey, padding, saltLength: 32 }, sig), alg);
    }
  });

  it('answers 404 KeyNotFound, 400 BadParameter for an algorithm the key cannot use or a wrong digest length', async () => {
    const missing = await call(env, 'GET', `/keys/no-such-key?${API}`, token);
    assert.equal(missing.status, 404);
    assert.equal(errorOf(missing).code, 'KeyNotFound');
    assert.match(
      errorOf(missing).message,
      /A key with \(name\/id\) no-such-key was not found in this key vault/,
    );
    const key = env.vault.addKey({ name: 'alg-key' });
    const wrongAlg = await call(env, 'POST', `/keys/alg-key/${key.version}/sign?${API}`, token, {
      alg: 'RS256',
      value: sha256(Buffer.from('x')).toString('base64url'),
    });
    assert.deepEqual([wrongAlg.status, errorOf(wrongAlg).code], [400, 'BadParameter']);
    const shortDigest = await call(env, 'POST', `/keys/alg-key/${key.version}/sign?${API}`, token, {
      alg: 'ES256',
      value: Buffer.alloc(20).toString('base64url'),
    });
    assert.deepEqual([shortDigest.status, errorOf(shortDigest).code], [400, 'BadParameter']);
  });

  it('refuses sign with 403 ForbiddenByPolicy to a principal whose access policy lacks keys/sign', async () => {
    const key = env.vault.addKey({ name: 'policy-key' });
    env.vault.configure({ keyPermissions: { [CLIENT_ID]: ['get'] } });
    assert.equal((await call(env, 'GET', `/keys/policy-key?${API}`, token)).status, 200);
    const refused = await call(env, 'POST', `/keys/policy-key/${key.version}/sign?${API}`, token, {
      alg: 'ES256',
      value: sha256(Buffer.from('x')).toString('base64url'),
    });
    assert.equal(refused.status, 403);
    assert.equal(errorOf(refused).code, 'Forbidden');
    assert.equal(errorOf(refused).innerError?.code, 'ForbiddenByPolicy');
    assert.match(
      errorOf(refused).message,
      new RegExp(`appid=${CLIENT_ID};.* does not have keys sign permission`),
    );
  });
});
