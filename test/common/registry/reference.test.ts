// Cases from github.com/distribution/reference (normalize_test.go, reference_test.go).
import assert from 'node:assert/strict';
import { UserError } from '../../../tasks/common/errors';
import { familiarString, parseImageReference, validateTag } from '../../../tasks/common/registry/reference';

const F64 = 'f'.repeat(64);
const HEX = 'dbcc1c35ac38df41fd2f5e4130b32ffdb93ebae8b3dbe638c23575912276fc9c';

function rejects(text: string, pattern: RegExp): void {
  assert.throws(
    () => parseImageReference(text),
    (err: unknown) => {
      assert.ok(err instanceof UserError, `expected a UserError for ${JSON.stringify(text)}`);
      assert.match(err.message, pattern);
      return true;
    },
  );
}

describe('registry/reference: parseImageReference', () => {
  // [input, registry, repository, tag, digest]
  const valid: [string, string, string, string?, string?][] = [
    ['docker/docker', 'docker.io', 'docker/docker'],
    ['library/debian', 'docker.io', 'library/debian'],
    ['debian', 'docker.io', 'library/debian'],
    ['docker.io/docker/docker', 'docker.io', 'docker/docker'],
    ['docker.io/debian', 'docker.io', 'library/debian'],
    ['index.docker.io/docker/docker', 'docker.io', 'docker/docker'],
    ['index.docker.io/debian', 'docker.io', 'library/debian'],
    ['127.0.0.1:5000/docker/docker', '127.0.0.1:5000', 'docker/docker'],
    ['127.0.0.1:5000/debian', '127.0.0.1:5000', 'debian'],
    ['192.168.0.1', 'docker.io', 'library/192.168.0.1'],
    ['192.168.0.1:80', 'docker.io', 'library/192.168.0.1', '80'],
    ['192.168.0.1:8/debian', '192.168.0.1:8', 'debian'],
    ['[fc00::1]:5000/docker', '[fc00::1]:5000', 'docker'],
    ['[fc00:1:2:3:4:5:6:7]:5000/library/debian', '[fc00:1:2:3:4:5:6:7]:5000', 'library/debian'],
    ['[2001:db8::1]/repo', '[2001:db8::1]', 'repo'],
    [
      `docker.io/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a`,
      'docker.io',
      'library/1a3f5e7d9c1b3a5f7e9d1c3b5a7f9e1d3c5b7a9f1e3d5d7c9b1a3f5e7d9c1b3a',
    ],
    ['Docker/docker', 'Docker', 'docker'],
    ['DOCKER/docker', 'DOCKER', 'docker'],
    [
      'thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
      'docker.io',
      'library/thisisthesongthatneverendsitgoesonandonandonthisisthesongthatnev',
    ],
    ['docker-rules/docker', 'docker.io', 'docker-rules/docker'],
    ['docker---rules/docker', 'docker.io', 'docker---rules/docker'],
    ['d/docker', 'docker.io', 'd/docker'],
    ['jess/t', 'docker.io', 'jess/t'],
    ['dock__er/docker', 'docker.io', 'dock__er/docker'],
    ['test_com/foo', 'docker.io', 'test_com/foo'],
    ['test.com/foo', 'test.com', 'foo'],
    ['test.com:8080/foo', 'test.com:8080', 'foo'],
    ['test-com:8080/foo', 'test-com:8080', 'foo'],
    ['test:5000/repo:tag', 'test:5000', 'repo', 'tag'],
    [`test:5000/repo@sha256:${F64}`, 'test:5000', 'repo', undefined, `sha256:${F64}`],
    [`test:5000/repo:tag@sha256:${F64}`, 'test:5000', 'repo', 'tag', `sha256:${F64}`],
    ['xn--n3h.com:18080/foo', 'xn--n3h.com:18080', 'foo'],
    ['localhost/foo', 'localhost', 'foo'],
    ['localhost:5000/foo/bar:1.0', 'localhost:5000', 'foo/bar', '1.0'],
    ['lowercase:Uppercase', 'docker.io', 'library/lowercase', 'Uppercase'],
    ['sub-dom1.foo.com/bar/baz/quux:some-long-tag', 'sub-dom1.foo.com', 'bar/baz/quux', 'some-long-tag'],
    [
      'b.gcr.io/test.example.com/my-app:test.example.com',
      'b.gcr.io',
      'test.example.com/my-app',
      'test.example.com',
    ],
    [
      `xn--7o8h.com/myimage:xn--7o8h.com@sha512:${'f'.repeat(128)}`,
      'xn--7o8h.com',
      'myimage',
      'xn--7o8h.com',
      `sha512:${'f'.repeat(128)}`,
    ],
    ['foo_bar.com:8080', 'docker.io', 'library/foo_bar.com', '8080'],
    ['foo/foo_bar.com:8080', 'docker.io', 'foo/foo_bar.com', '8080'],
    ['library/foo/bar', 'docker.io', 'library/foo/bar'],
    [`redis@sha256:${HEX}`, 'docker.io', 'library/redis', undefined, `sha256:${HEX}`],
    [`busybox:latest@sha256:${HEX}`, 'docker.io', 'library/busybox', 'latest', `sha256:${HEX}`],
    [
      `${'a/'.repeat(127)}a:tag-puts-this-over-max`,
      'docker.io',
      `${'a/'.repeat(127)}a`,
      'tag-puts-this-over-max',
    ],
    ['myacr.azurecr.io/prod/delivery:v1.0.2', 'myacr.azurecr.io', 'prod/delivery', 'v1.0.2'],
    ['  myacr.azurecr.io/app:1  ', 'myacr.azurecr.io', 'app', '1'],
  ];
  for (const [input, registry, repository, tag, digest] of valid) {
    it(`parses ${input.length > 60 ? `${input.slice(0, 57)}...` : input}`, () => {
      const ref = parseImageReference(input);
      assert.deepEqual(
        { registry: ref.registry, repository: ref.repository, tag: ref.tag, digest: ref.digest },
        { registry, repository, tag, digest },
      );
      const canonical = `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`;
      assert.equal(ref.toString(), canonical);
      assert.equal(parseImageReference(canonical).toString(), canonical, 'canonical form parses back');
    });
  }

  // [input, what the message must say]
  const invalid: [string, RegExp][] = [
    ['', /empty/],
    ['https://github.com/docker/docker', /"https:" is not a valid registry host/],
    ['docker/Docker', /"docker\/Docker" must be lower-case/],
    ['-docker', /component "-docker" is invalid/],
    ['-docker/docker', /component "-docker" is invalid/],
    ['-docker.io/docker/docker', /"-docker.io" is not a valid registry host/],
    ['docker///docker', /empty component/],
    ['docker.io/docker/Docker', /must be lower-case/],
    ['docker.io/docker///docker', /empty component/],
    ['[fc00::1]', /invalid/],
    ['[fc00::1]:5000', /invalid/],
    ['fc00::1:5000/debian', /not a valid registry host/],
    ['[fe80::1%eth0]:5000/debian', /not a valid registry host/],
    ['[2001:db8:3:4::192.0.2.33]:5000/debian', /not a valid registry host/],
    [HEX, /image ID/],
    ['docker-/docker', /component "docker-" is invalid/],
    ['____/____', /component "____" is invalid/],
    ['_docker/_docker', /component "_docker" is invalid/],
    ['dock..er/docker', /"dock..er" is not a valid registry host/],
    ['dock_.er/docker', /"dock_.er" is not a valid registry host/],
    ['dock-.er/docker', /"dock-.er" is not a valid registry host/],
    ['docker/', /empty component/],
    [`${'this_is_not_a_valid_namespace_'.repeat(9)}/docker`, /component "this_is_not.*" is invalid/],
    [`${'a/'.repeat(128)}a:tag`, /longer than 255/],
    [':justtag', /repository name is missing/],
    [`@sha256:${F64}`, /repository name is missing/],
    ['repo@sha256:ffffffffffffffffffffffffffffffffff', /64 hexadecimal characters, this one has 34/],
    [`validname@invaliddigest:${F64}`, /algorithm "invaliddigest" is not supported/],
    [`repo@sha256:${F64.toUpperCase()}`, /lower-case hexadecimal/],
    ['Uppercase:tag', /lower-case/],
    ['test:5000/Uppercase/lowercase:tag', /lower-case/],
    ['aa/asdf$$^/aa', /component "asdf\$\$\^" is invalid/],
    ['repo:-tag', /tag "-tag" is invalid/],
    [`repo:${'t'.repeat(129)}`, /tag "t+" is invalid/],
  ];
  for (const [input, pattern] of invalid) {
    it(`rejects ${JSON.stringify(input.length > 50 ? `${input.slice(0, 47)}...` : input)} with a message naming the rule`, () => {
      rejects(input, pattern);
    });
  }

  it('quotes the text in every error', () => {
    rejects('docker/Docker', /Invalid image reference "docker\/Docker"/);
  });
});

describe('registry/reference: familiarString and validateTag', () => {
  const cases: [string, string][] = [
    ['docker.io/library/ubuntu:22.04', 'ubuntu:22.04'],
    ['docker.io/fooo/bar', 'fooo/bar'],
    ['docker.io/library/foo/bar', 'library/foo/bar'],
    ['127.0.0.1:8000/privatebase', '127.0.0.1:8000/privatebase'],
    [`busybox:latest@sha256:${HEX}`, `busybox:latest@sha256:${HEX}`],
  ];
  for (const [input, familiar] of cases) {
    it(`${input} -> ${familiar}`, () => assert.equal(familiarString(parseImageReference(input)), familiar));
  }
  it('accepts Docker tags and rejects others with the rule', () => {
    assert.equal(validateTag('v1.0.2_rc-1', 'additionalTags'), 'v1.0.2_rc-1');
    assert.throws(() => validateTag('.hidden', 'additionalTags'), /Invalid tag \(additionalTags\)/);
    assert.throws(() => validateTag('a/b', 'additionalTags'), UserError);
  });
});
