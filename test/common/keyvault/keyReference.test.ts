import assert from 'node:assert/strict';
import { parseKeyReference } from '../../../tasks/common/keyvault';
import { p1363ToDer } from '../../../tasks/common/keyvault/keySigner';
import crypto from 'node:crypto';

describe('Key Vault key references (azurekms://) and ECDSA signature encoding', () => {
  it("parses cosign's azurekms://<vault>/<key>[/<version>] with a vault name, host or host:port", () => {
    assert.deepEqual(parseKeyReference('azurekms://fabrikam.vault.azure.net/release-signing', 'k'), {
      text: 'azurekms://fabrikam.vault.azure.net/release-signing',
      vault: 'fabrikam.vault.azure.net',
      name: 'release-signing',
      version: undefined,
    });
    const v = 'AB'.repeat(16);
    assert.equal(parseKeyReference(` azurekms://fabrikam/key-1/${v} `, 'k').version, v.toLowerCase());
    assert.equal(parseKeyReference('AZUREKMS://127.0.0.1:8443/k', 'k').vault, '127.0.0.1:8443');
  });

  it('refuses other forms naming the input and the expected form', () => {
    for (const bad of [
      'https://fabrikam.vault.azure.net/keys/k',
      'azurekms://fabrikam.vault.azure.net',
      'azurekms://fabrikam.vault.azure.net/',
      'azurekms://fabrikam.vault.azure.net/key_name',
      'azurekms://fabrikam.vault.azure.net/k/not-a-version',
      'azurekms://fabrikam.vault.azure.net/k/' + 'a'.repeat(32) + '/extra',
      'azurekms://user@fabrikam.vault.azure.net/k',
    ]) {
      assert.throws(
        () => parseKeyReference(bad, 'signingKey'),
        (err: Error) => err.name === 'UserError' && err.message.startsWith("Input 'signingKey':"),
        bad,
      );
    }
  });

  it('turns r||s into the DER that node:crypto verifies by default, high bits and leading zeros included', () => {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    for (let i = 0; i < 64; i++) {
      const data = Buffer.from(`message ${i}`);
      const raw = crypto.sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const der = p1363ToDer(raw);
      assert.ok(crypto.verify('sha256', data, publicKey, der), `signature ${i}`);
    }
  });
});
