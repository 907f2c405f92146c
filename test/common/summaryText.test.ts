// The shared text rules: markdown escaping for every build summary, and the wildcard patterns of
// image filters and Key Vault secret globs.
import assert from 'node:assert/strict';
import { markdownCell, markdownCode } from '../../tasks/common/markdown';
import { wildcardRegExp } from '../../tasks/common/wildcard';

describe('markdown escaping for summaries', () => {
  it('keeps pipes and line breaks from splitting a table row', () => {
    assert.equal(markdownCell('a|b\r\nc\nd'), 'a\\|b c d');
    const row = `| ${markdownCell('x|y\nz')} | 2 |`;
    assert.equal(row.split(/(?<!\\)\|/).length, 4, 'three separators: two cells');
  });

  it('keeps a backtick from ending an inline code span', () => {
    assert.equal(markdownCode('a`b|c'), "`a'b\\|c`");
  });
});

describe('wildcard patterns', () => {
  it('matches the whole text, case-insensitively, with * for any run and ? for one character', () => {
    const p = wildcardRegExp('Db-?-*');
    assert.ok(p.test('db-1-password'));
    assert.ok(!p.test('db-12-password'), '? is one character');
    assert.ok(!p.test('my-db-1-x'), 'anchored at the start');
  });

  it('takes every other character literally', () => {
    const p = wildcardRegExp('myrepo.azurecr.io/app+(1)');
    assert.ok(p.test('MYREPO.azurecr.io/app+(1)'));
    assert.ok(!p.test('myrepoXazurecr.io/app+(1)'), 'a dot is a dot');
    assert.ok(!p.test('myrepo.azurecr.io/appp(1)'), 'a plus is a plus');
  });
});
