// The `secrets` grammar, variable naming and collisions, and the vault address rules.
import assert from 'node:assert/strict';
import { UserError } from '../../../tasks/common/errors';
import { globsMatching, parseSecretSelection } from '../../../tasks/common/keyvault/secretSelection';
import { resolveVaultAddress } from '../../../tasks/common/keyvault/vaultAddress';
import {
  checkCaseOnlyDifferences,
  uniqueAssignments,
  upperSnake,
  variableNameFor,
} from '../../../tasks/common/keyvault/variableNames';

const userError = (fn: () => unknown, pattern: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof UserError && pattern.test(e.message));

describe('secrets input grammar', () => {
  it('reads names, versions, renames and patterns, by line or comma; empty means *', () => {
    const s = parseSecretSelection([
      'db-password, api-key/0123abcd',
      '# a comment',
      '',
      'tls-cert => TLS_CERT',
      'db-*',
    ]);
    assert.deepEqual(
      s.entries.map((e) => (e.kind === 'name' ? [e.name, e.version, e.rename] : [e.text])),
      [
        ['db-password', undefined, undefined],
        ['api-key', '0123abcd', undefined],
        ['tls-cert', undefined, 'TLS_CERT'],
        ['db-*'],
      ],
    );
    assert.equal(s.needsListing, true);
    assert.equal(parseSecretSelection(['a-name', 'b/00ff => B']).needsListing, false);
    const all = parseSecretSelection([]);
    assert.deepEqual([all.entries[0]?.text, all.needsListing], ['*', true]);
  });

  it('matches patterns case-insensitively, * and ? only', () => {
    const s = parseSecretSelection(['db-*', 'app-?-key']);
    assert.deepEqual(
      globsMatching(s, 'DB-Password').map((g) => g.text),
      ['db-*'],
    );
    assert.deepEqual(
      globsMatching(s, 'app-1-key').map((g) => g.text),
      ['app-?-key'],
    );
    assert.deepEqual(globsMatching(s, 'app-12-key'), []);
    assert.deepEqual(globsMatching(s, 'xdb-a'), []);
  });

  it('rejects what Key Vault cannot name, renamed patterns and bad variable names', () => {
    userError(() => parseSecretSelection(['db_password']), /'db_password' does not name a Key Vault secret/);
    userError(() => parseSecretSelection(['db-* => X']), /renames a pattern/);
    userError(() => parseSecretSelection(['a/b/c']), /invalid version/);
    userError(() => parseSecretSelection(['a => has space']), /not a valid variable name/);
    userError(() => parseSecretSelection(['a.b*']), /not a valid pattern/);
  });
});

describe('variable names', () => {
  it('upperSnake turns hyphens and camel case into underscores', () => {
    assert.equal(upperSnake('db-password'), 'DB_PASSWORD');
    assert.equal(upperSnake('DbPassword'), 'DB_PASSWORD');
    assert.equal(upperSnake('HTTPServer-key2'), 'HTTP_SERVER_KEY2');
    assert.equal(upperSnake('a--b'), 'A_B');
  });

  it('applies the prefix to derived names, not to renames', () => {
    assert.equal(
      variableNameFor('db-password', undefined, { style: 'upperSnake', prefix: 'KV_' }),
      'KV_DB_PASSWORD',
    );
    assert.equal(variableNameFor('db-password', 'MINE', { style: 'upperSnake', prefix: 'KV_' }), 'MINE');
    assert.equal(
      variableNameFor('db-password', undefined, { style: 'asIs', prefix: undefined }),
      'db-password',
    );
  });

  it('names both secrets that differ only in case', () => {
    userError(
      () =>
        checkCaseOnlyDifferences([
          { secret: 'db-password', entry: 'db-password' },
          { secret: 'DB-Password', entry: 'DB-Password => X' },
        ]),
      /Secrets 'db-password' and 'DB-Password' \(from 'DB-Password => X'\) differ only in case/,
    );
  });

  it('names both secrets mapping to one variable, ignoring case and . versus _', () => {
    const a = { secret: 'db-password', version: undefined, entry: 'db-*' };
    userError(
      () =>
        uniqueAssignments([
          { ...a, variable: 'DB_PASSWORD' },
          { secret: 'DbPassword', version: undefined, variable: 'DB_PASSWORD', entry: 'DbPassword' },
        ]),
      /Secrets 'db-password' \(from 'db-\*'\) and 'DbPassword' both map to the variable 'DB_PASSWORD'/,
    );
    userError(
      () =>
        uniqueAssignments([
          { secret: 'a', version: undefined, variable: 'X.Y', entry: 'a => X.Y' },
          { secret: 'b', version: undefined, variable: 'x_y', entry: 'b => x_y' },
        ]),
      /'a' \(from 'a => X\.Y'\) and 'b' \(from 'b => x_y'\) both map to the variable 'x_y' \(and 'X\.Y'/,
    );
    userError(
      () =>
        uniqueAssignments([
          { secret: 'a', version: '01', variable: 'a', entry: 'a/01' },
          { secret: 'a', version: undefined, variable: 'a', entry: 'a' },
        ]),
      /'a\/01' and 'a' both map to the variable 'a'/,
    );
    const same = uniqueAssignments([
      { ...a, variable: 'db-password' },
      { ...a, variable: 'db-password', entry: '*' },
    ]);
    assert.equal(same.length, 1, 'one secret selected twice is one variable');
  });
});

describe('vault address', () => {
  it("completes a name with the cloud's Key Vault DNS suffix and keeps challenge verification", () => {
    assert.deepEqual(resolveVaultAddress('Fabrikam-Kv', 'vault.azure.net'), {
      url: 'https://fabrikam-kv.vault.azure.net',
      label: 'Fabrikam-Kv',
      verifyChallengeResource: true,
    });
    assert.equal(
      resolveVaultAddress('kv1', 'vault.usgovcloudapi.net').url,
      'https://kv1.vault.usgovcloudapi.net',
    );
  });

  it('uses a URI or host as given; verification stays on only under the suffix', () => {
    assert.deepEqual(resolveVaultAddress('https://kv1.vault.azure.net/', 'vault.azure.net'), {
      url: 'https://kv1.vault.azure.net',
      label: 'https://kv1.vault.azure.net',
      verifyChallengeResource: true,
    });
    assert.equal(
      resolveVaultAddress('kv1.vault.azure.net', 'vault.azure.net').url,
      'https://kv1.vault.azure.net',
    );
    const ip = resolveVaultAddress('https://127.0.0.1:8443', 'vault.azure.net');
    assert.deepEqual([ip.url, ip.verifyChallengeResource], ['https://127.0.0.1:8443', false]);
    assert.equal(
      resolveVaultAddress('https://kv.internal.example', 'vault.azure.net').verifyChallengeResource,
      false,
    );
  });

  it('rejects plain http, bad names, and a name without a DNS suffix', () => {
    userError(() => resolveVaultAddress('http://kv1.vault.azure.net', 'vault.azure.net'), /must use https/);
    userError(() => resolveVaultAddress('1kv', 'vault.azure.net'), /not a valid vault name/);
    userError(() => resolveVaultAddress('kv--1', 'vault.azure.net'), /not a valid vault name/);
    userError(() => resolveVaultAddress('kv1', undefined), /no Key Vault DNS suffix/);
  });
});
