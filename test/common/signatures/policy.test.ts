import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { UserError } from '../../../tasks/common/errors';
import { prepareTrust, validateTrustPolicy } from '../../../tasks/common/signatures';
import { slsaBuilderId, slsaSourceRepositories } from '../../../tasks/common/signatures/attestations';
import { matches } from '../../../tasks/common/signatures/policy';
import { subjectMatches } from '../../../tasks/common/signatures/x509Trust';

describe('signatures: trust policy', () => {
  it('matches exact values literally and regular expressions anchored', () => {
    const url = 'https://dev.azure.com/contoso/_build?definitionId=7';
    assert.equal(matches({ exact: url }, url), true);
    assert.equal(matches({ exact: url }, `${url}0`), false);
    assert.equal(matches({ regex: 'https://dev\\.azure\\.com/contoso/.*' }, url), true);
    assert.equal(matches({ regex: 'dev\\.azure\\.com' }, url), false);
    assert.equal(matches({ regex: 'a|b' }, 'ab'), false);
    assert.equal(matches({ exact: url }, undefined), false);
  });

  it('refuses a policy that trusts nobody, a bad regular expression and a key that is no public key', () => {
    assert.throws(
      () => validateTrustPolicy({}, 'trustPolicy'),
      (e: unknown) =>
        e instanceof UserError && /^trustPolicy: the trust policy names no signer/.test(e.message),
    );
    assert.throws(
      () =>
        validateTrustPolicy(
          {
            keyless: {
              trustedRootFile: 'root.json',
              identities: [{ identity: { regex: '(' }, issuer: { exact: 'x' } }],
            },
          },
          'certificateIdentity',
        ),
      /certificateIdentity: "\(" is not a valid regular expression/,
    );
    assert.throws(
      () => prepareTrust({ cosignKeys: [{ name: 'publicKey', pem: 'not a key' }] }),
      /publicKey: not a PEM public key/,
    );
    assert.throws(
      () => prepareTrust({ notation: { trustedCertificates: 'nothing here' } }, 'trustedCertificates'),
      /trustedCertificates: Notation trusted certificates: no PEM certificate/,
    );
  });

  it('compares Notation subjects as attribute sets, the policy naming a subset', () => {
    const subject = 'C=US\nO=Contoso\nCN=release-signer';
    assert.equal(subjectMatches(subject, 'CN=release-signer, O=Contoso'), true);
    assert.equal(subjectMatches(subject, 'cn=release-signer,o=Contoso,C=US'), true);
    assert.equal(subjectMatches(subject, 'CN=release-signer, O=Fabrikam'), false);
    assert.equal(subjectMatches(subject, 'CN=release'), false);
  });

  it('reads builder and source repository from SLSA v1 and v0.2 provenance', () => {
    assert.equal(slsaBuilderId({ runDetails: { builder: { id: 'b1' } } }), 'b1');
    assert.equal(slsaBuilderId({ builder: { id: 'b02' } }), 'b02');
    assert.deepEqual(
      slsaSourceRepositories({
        invocation: { configSource: { uri: 'git+https://github.com/org/repo@refs/heads/main' } },
      }),
      ['https://github.com/org/repo'],
    );
    assert.deepEqual(
      slsaSourceRepositories({
        buildDefinition: { externalParameters: { workflow: { repository: 'https://github.com/org/repo' } } },
      }),
      ['https://github.com/org/repo'],
    );
  });

  it('loads no Sigstore code until a bundle is verified', () => {
    const index = path.resolve(__dirname, '../../../tasks/common/signatures/index.js');
    const loaded = execFileSync(process.execPath, [
      '-e',
      `require(${JSON.stringify(index)}); console.log(Object.keys(require.cache).filter((f) => f.includes('@sigstore')).length)`,
    ]);
    assert.equal(loaded.toString().trim(), '0');
  });
});
