import assert from 'node:assert/strict';
import {
  challengeScopes,
  mergeScopes,
  parseChallenges,
  scopesCover,
} from '../../../tasks/common/registry/challenge';

describe('registry/challenge: WWW-Authenticate parsing', () => {
  it('reads a Docker Hub bearer challenge with a comma inside a quoted scope', () => {
    const [c] = parseChallenges(
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push"',
    );
    assert.equal(c?.scheme, 'bearer');
    assert.deepEqual(c?.params, {
      realm: 'https://auth.docker.io/token',
      service: 'registry.docker.io',
      scope: 'repository:samalba/my-app:pull,push',
    });
  });

  it('reads Basic, unquoted values, spaces around = and escaped quotes', () => {
    const [basic] = parseChallenges('Basic realm = "Registry \\"Realm\\""');
    assert.deepEqual(basic, { scheme: 'basic', params: { realm: 'Registry "Realm"' } });
    const [bare] = parseChallenges('Bearer realm=https://a.example/token,service=a.example');
    assert.deepEqual(bare?.params, { realm: 'https://a.example/token', service: 'a.example' });
  });

  it('splits several challenges in one header and across header lines', () => {
    const list = parseChallenges([
      'Basic realm="r1", Bearer realm="https://t/token",service="s",error="insufficient_scope"',
      'Negotiate',
    ]);
    assert.deepEqual(
      list.map((c) => c.scheme),
      ['basic', 'bearer', 'negotiate'],
    );
    assert.equal(list[1]?.params['error'], 'insufficient_scope');
  });

  it('returns nothing for an absent or empty header', () => {
    assert.deepEqual(parseChallenges(undefined), []);
    assert.deepEqual(parseChallenges(''), []);
  });

  it('splits the space-separated scopes of a challenge (distribution names every missing scope)', () => {
    const [c] = parseChallenges('Bearer realm="r",scope="repository:a:pull,push repository:b:pull"');
    assert.ok(c);
    assert.deepEqual(challengeScopes(c), ['repository:a:pull,push', 'repository:b:pull']);
  });
});

describe('registry/challenge: scopes', () => {
  it('merges actions per repository and puts push scopes first', () => {
    assert.deepEqual(mergeScopes(['repository:src:pull'], ['repository:dst:pull', 'repository:dst:push']), [
      'repository:dst:push,pull',
      'repository:src:pull',
    ]);
  });

  it('keeps one entry per repository across lists', () => {
    assert.deepEqual(mergeScopes(['repository:a:pull'], ['repository:a:pull'], []), ['repository:a:pull']);
  });

  it('covers a subset of actions, not a missing repository or action', () => {
    const granted = ['repository:dst:push,pull', 'repository:src:pull'];
    assert.equal(scopesCover(granted, ['repository:dst:pull']), true);
    assert.equal(scopesCover(granted, ['repository:dst:push,pull', 'repository:src:pull']), true);
    assert.equal(scopesCover(granted, ['repository:src:push']), false);
    assert.equal(scopesCover(granted, ['repository:other:pull']), false);
    assert.equal(scopesCover(['repository:x:*'], ['repository:x:delete']), true);
  });
});
