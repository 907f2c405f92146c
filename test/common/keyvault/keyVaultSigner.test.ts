// Key Vault keys as cosign keys through the library: the public key read as PEM, and the signer
// (digest only to the vault, DER out, version pinned) whose signatures node:crypto and
// @sigstore/verify accept in a DSSE bundle; refusals name the vault, the key and the permission.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { bundleToJSON } from '@sigstore/bundle';
import {
  createKeyVaultKeys,
  createKeyVaultSigner,
  parseKeyReference,
  readTrustedKey,
  type KeyVaultKeys,
} from '../../../tasks/common/keyvault';
import { loadKeys } from '../../../tasks/common/signatures/keys';
import { verifyBundle } from '../../../tasks/common/signatures/sigstoreBundle';
import { mediaTypes } from '../../../tasks/common/signatures';
import { throttleAt } from '../../emulators/keyVaultThrottle';
import {
  CLIENT_ID,
  inProcessCredential,
  startKeyVaultTestEnvironment,
  type KeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';
import { dsseBundleFromSignature, preAuthEncoding, statement } from '../signatures/cosignArtifacts';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('Key Vault keys as cosign keys (library, against the emulator)', function () {
  this.timeout(60_000);
  let env: KeyVaultTestEnvironment;

  before(async () => {
    env = await startKeyVaultTestEnvironment([]);
  });
  after(async () => {
    await env?.stop();
  });
  afterEach(() => env.vault.configure({ keyPermissions: {}, throttle: undefined }));

  const keys = (): KeyVaultKeys => {
    const azure = inProcessCredential(env);
    return createKeyVaultKeys({
      vault: { url: env.vault.url, label: `vault ${env.vault.url}`, verifyChallengeResource: false },
      credential: azure.credential,
      additionalPolicies: azure.clientOptions.additionalPolicies,
    });
  };
  const ref = (name: string, version?: string) =>
    parseKeyReference(
      `azurekms://${new URL(env.vault.url).host}/${name}${version ? `/${version}` : ''}`,
      'test',
    );

  it('reads the public key as PEM SPKI named by the key id with its version', async () => {
    const key = env.vault.addKey({ name: 'verify-key' });
    const trusted = await readTrustedKey(keys(), ref('verify-key'));
    assert.equal(trusted.name, `${env.vault.url}/keys/verify-key/${key.version}`);
    assert.match(trusted.pem, /^-----BEGIN PUBLIC KEY-----/);
    assert.ok(crypto.createPublicKey(trusted.pem).equals(key.publicKey));
  });

  it('signs a DSSE envelope with a DER signature node:crypto and @sigstore/verify accept', async () => {
    const key = env.vault.addKey({ name: 'record-key' });
    const signer = await createKeyVaultSigner(keys(), ref('record-key'));
    assert.equal(signer.keyId, `${env.vault.url}/keys/record-key/${key.version}`);
    const payload = statement(DIGEST, 'https://release-guard.dev/promotion/v1', { promoted: true });
    const pae = preAuthEncoding(mediaTypes.IN_TOTO_PAYLOAD, payload);
    const signature = await signer.sign(pae);
    assert.equal(signature[0], 0x30, 'an ASN.1 SEQUENCE');
    assert.ok(crypto.verify('sha256', pae, await signer.publicKeyPem(), signature));
    const trust = {
      keys: loadKeys([{ name: signer.keyId, pem: await signer.publicKeyPem() }]),
      keylessRoot: () => Promise.reject(new Error('no keyless root')),
    };
    const bundle = Buffer.from(
      JSON.stringify(bundleToJSON(dsseBundleFromSignature(payload, signature, signer.keyId))),
    );
    const verdict = await verifyBundle(bundle, DIGEST, trust, () => Promise.reject(new Error('no manifest')));
    assert.ok(verdict.ok, JSON.stringify(verdict));
    // The vault's raw r||s in the same bundle is refused: the DER conversion is what makes it verify.
    const raw = await keys().sign(
      ref('record-key'),
      signer.keyId,
      'ES256',
      crypto.createHash('sha256').update(pae).digest(),
    );
    const rawBundle = Buffer.from(JSON.stringify(bundleToJSON(dsseBundleFromSignature(payload, raw))));
    const refused = await verifyBundle(rawBundle, DIGEST, trust, () =>
      Promise.reject(new Error('no manifest')),
    );
    assert.equal(refused.ok, false);
  });

  it('signs with RSA keys (RS256, PKCS#1 v1.5 as cosign)', async () => {
    const key = env.vault.addKey({ name: 'rsa-record', kty: 'RSA' });
    const signer = await createKeyVaultSigner(keys(), ref('rsa-record'));
    const data = Buffer.from('data');
    assert.ok(crypto.verify('sha256', data, key.publicKey, await signer.sign(data)));
  });

  it('pins the version it read: a key rotated after the signer was made does not change its signatures', async () => {
    const first = env.vault.addKey({ name: 'rotating' });
    const signer = await createKeyVaultSigner(keys(), ref('rotating'));
    const rotated = env.vault.addKey({ name: 'rotating' });
    const data = Buffer.from('after rotation');
    const signature = await signer.sign(data);
    assert.ok(crypto.verify('sha256', data, first.publicKey, signature));
    assert.equal(crypto.verify('sha256', data, rotated.publicKey, signature), false);
  });

  it('sends only the digest: the data signed never reaches the vault', async () => {
    env.vault.addKey({ name: 'digest-only' });
    const signer = await createKeyVaultSigner(keys(), ref('digest-only'));
    const before = env.vault.stats.requests;
    await signer.sign(Buffer.alloc(4096, 7));
    assert.ok(env.vault.stats.requests > before);
    // The request body is {alg, value}: value is 32 bytes (a SHA-256 digest), checked by the emulator.
  });

  it('a principal without keys/sign fails naming the vault, the key and the missing permission', async () => {
    env.vault.addKey({ name: 'no-sign' });
    env.vault.configure({ keyPermissions: { [CLIENT_ID]: ['get'] } });
    const signer = await createKeyVaultSigner(keys(), ref('no-sign'));
    await assert.rejects(signer.sign(Buffer.from('x')), (err: Error) => {
      assert.equal(err.name, 'UserError');
      assert.ok(err.message.includes(`vault ${env.vault.url}`), err.message);
      assert.match(
        err.message,
        /signing with key 'no-sign' was denied \(HTTP 403 Forbidden\/ForbiddenByPolicy/,
      );
      assert.match(err.message, /keys\/sign permission/);
      assert.match(err.message, /Key Vault Crypto User/);
      return true;
    });
  });

  it('a key that does not exist fails naming the key', async () => {
    await assert.rejects(readTrustedKey(keys(), ref('missing-key')), (err: Error) => {
      assert.match(err.message, /key 'missing-key' was not found \(HTTP 404 KeyNotFound/);
      return true;
    });
  });

  it('waits out a throttled key request and succeeds', async () => {
    env.vault.addKey({ name: 'throttled' });
    env.vault.resetStats();
    env.vault.configure({ throttle: throttleAt([0], 1) });
    const trusted = await readTrustedKey(keys(), ref('throttled'));
    assert.match(trusted.name, /\/keys\/throttled\/[0-9a-f]{32}$/);
    assert.equal(env.vault.stats.throttled, 1);
  });
});
