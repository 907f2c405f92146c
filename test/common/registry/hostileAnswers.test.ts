// Registry answers no registry should give (a proxy's HTML page, HTML where JSON belongs, a body
// over the limit, a body cut off, a wrong content type) for tag lists, manifests, referrers,
// token services and blobs: each ends in a RegistryError naming the registry host, the operation
// and the image, with no stack in the message.
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { copyImage } from '../../../tasks/common/copy/copy';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { RegistryError } from '../../../tasks/common/registry/registryError';
import {
  HOSTILE_KINDS,
  type HostileFront,
  type HostileKind,
  type HostileOptions,
  startHostileFront,
} from '../../emulators/hostileAnswers';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { getManifest, pushImage } from '../../emulators/registry/images';
import { assertNamesWhere, failure } from '../../support/failureMessages';
import { stopAll, testClient } from '../../support/registryTestClient';
import {
  findManifest,
  getManifest as readManifest,
  imageIn,
  listTags,
  referrersFromApi,
} from '../../../tasks/common/registry';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

describe('registry/hostileAnswers: unusable answers fail naming the registry, the operation and the image', function () {
  this.timeout(60_000);
  let front: HostileFront;
  let tried = 0;
  beforeEach(async () => {
    front = await startHostileFront();
  });
  afterEach(() => front.close());
  after(() => console.log(`      registry hostile answers tried: ${tried}`));

  const client = () => testClient({}, { maxRetries: 1 });
  const script = (kind: HostileKind, pathPart: string, options: HostileOptions = {}) =>
    front.script({
      match: (_m, path) => path.includes(pathPart),
      kind,
      options: { oversizeBytes: 17 * 1024 * 1024, ...options },
    });

  for (const kind of HOSTILE_KINDS) {
    it(`tag list answered ${kind}`, async () => {
      script(kind, '/tags/list', { wrongType: { contentType: 'text/plain', body: 'v1\nv2\n' } });
      const c = client();
      const err = await failure(listTags(c.http, { registry: front.host, repository: 'team/app' }));
      c.close();
      tried++;
      assert.ok(err instanceof RegistryError);
      assert.equal(err.details.registry, front.host);
      assertNamesWhere(err.message, kind, [front.host, 'list tags', 'team/app']);
    });

    it(`manifest answered ${kind}`, async () => {
      script(kind, '/manifests/', { oversizeBytes: 33 * 1024 * 1024 });
      const c = client();
      const err = await failure(
        readManifest(c.http, imageIn({ registry: front.host, repository: 'team/app' }, { tag: 'v1' })),
      );
      c.close();
      tried++;
      assertNamesWhere(err.message, kind, [front.host, 'team/app', 'v1']);
      if (kind !== 'wrongType') assert.match(err.message, /read manifest v1/);
    });

    it(`referrers answered ${kind}`, async () => {
      script(kind, '/referrers/');
      const c = client();
      const err = await failure(
        referrersFromApi(
          { http: c.http, apiSupport: c.referrersApi },
          { registry: front.host, repository: 'team/app' },
          DIGEST,
        ).then(() => undefined),
      );
      c.close();
      tried++;
      assertNamesWhere(err.message, kind, [front.host, 'team/app', DIGEST]);
    });

    it(`token service answered ${kind}`, async () => {
      const challenger = await startChallenger(`${front.url}/token`);
      const proxied = await startHostileFront({ upstream: challenger.url });
      proxied.script({
        match: (_m, path) => path === '/token',
        kind,
        options: {
          oversizeBytes: 2 * 1024 * 1024,
          wrongType: { contentType: 'text/plain', body: 'token=abc' },
        },
      });
      // the realm must be on the registry's own host: the challenge names the front itself
      challenger.realm = `${proxied.url}/token`;
      const c = client();
      const err = await failure(listTags(c.http, { registry: proxied.host, repository: 'team/app' }));
      c.close();
      await Promise.all([proxied.close(), challenger.close()]);
      tried++;
      assertNamesWhere(err.message, kind, [proxied.host, 'get token from', '/token', 'team/app']);
    });
  }

  it('a token answer cut inside the token is not quoted (the token is not registered as a secret yet)', async () => {
    const challenger = await startChallenger(`${front.url}/token`);
    const proxied = await startHostileFront({ upstream: challenger.url });
    proxied.script({
      match: (_m, path) => path === '/token',
      kind: 'wrongType',
      options: { wrongType: { contentType: 'application/json', body: '{"token":"tok-half-of-a-secret' } },
    });
    challenger.realm = `${proxied.url}/token`;
    const c = client();
    const err = await failure(listTags(c.http, { registry: proxied.host, repository: 'team/app' }));
    c.close();
    await Promise.all([proxied.close(), challenger.close()]);
    assert.match(err.message, /not JSON \(not shown: the answer may carry a credential\)/);
    assert.ok(!err.message.includes('tok-half'), err.message);
  });

  it('a HEAD of a manifest answered with an HTML page and a digest header is not taken for a manifest', async () => {
    front.script({
      match: (_m, path) => path.includes('/manifests/'),
      kind: 'html200',
      options: { headers: { 'docker-content-digest': DIGEST } },
    });
    const c = client();
    const err = await failure(
      findManifest(c.http, imageIn({ registry: front.host, repository: 'team/app' }, { tag: 'v1' })),
    );
    c.close();
    tried++;
    assertNamesWhere(err.message, 'html200', [front.host, 'read manifest v1', 'team/app']);
  });

  it('a registry answering a manifest with an unknown mediaType names the image and the types it copies', async () => {
    script('wrongType', '/manifests/', {
      wrongType: {
        contentType: 'application/vnd.example.thing+json',
        body: '{"schemaVersion":2,"mediaType":"application/vnd.example.thing+json"}',
      },
    });
    const c = client();
    await assert.rejects(
      readManifest(c.http, imageIn({ registry: front.host, repository: 'team/app' }, { tag: 'v1' })),
      (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`${front.host}/team/app:v1 with media type "application/vnd.example.thing\\+json"`),
        );
        assert.match(err.message, /application\/vnd\.oci\.image\.index\.v1\+json/);
        return true;
      },
    );
    c.close();
    tried++;
  });
});

describe('registry/hostileAnswers: blob reads answered badly fail naming the source registry and the blob', function () {
  this.timeout(120_000);
  let source: RegistryFixture;
  let target: RegistryFixture;
  let front: HostileFront;
  let layer = '';
  before(async () => {
    [source, target] = await Promise.all([startRegistry(), startRegistry()]);
    const image = await pushImage(source, 'team/app', { format: 'oci', tag: 'v1', layers: [4096] });
    layer = image.blobs.find((b) => b.size === 4096)?.digest ?? '';
    front = await startHostileFront({ upstream: `http://${source.host}` });
  });
  after(async () => {
    await front.close();
    await stopAll([source, target]);
  });

  const cases: [HostileKind, RegExp][] = [
    ['html502', /answered HTTP 502 with an HTML page/],
    [
      'html200',
      /read blob .* failed: the blob arrived incomplete, the answer ending after \d+ of its 4096 bytes: the registry answered an HTML page/,
    ],
    ['oversized', /is not what its digest says \(received more than the expected 4096 bytes\)/],
    [
      'truncated',
      /read blob .* failed: the blob arrived incomplete, the answer ending after \d+ of its 4096 bytes/,
    ],
  ];
  for (const [kind, problem] of cases) {
    it(`a layer answered ${kind}: nothing tagged in the target`, async () => {
      front.script({
        match: (m, path) => m === 'GET' && path.endsWith(`/blobs/${layer}`),
        kind,
        options: { oversizeBytes: 1024 * 1024 },
        times: 100,
      });
      const c = testClient({}, { maxRetries: 1 });
      const err = await failure(
        copyImage(c, {
          source: parseImageReference(`${front.host}/team/app:v1`),
          target: { registry: target.host, repository: `prod/${kind.toLowerCase()}` },
          tags: ['v1'],
          overwrite: 'never',
          copyReferrers: false,
          dryRun: false,
        }),
      );
      c.close();
      assert.ok(err instanceof RegistryError);
      assert.doesNotMatch(err.message, /\n\s+at /);
      assert.match(err.message, problem);
      assert.ok(err.message.includes(`${front.host}/team/app`), err.message);
      assert.ok(err.message.includes(layer), err.message);
      assert.equal(await getManifest(target, `prod/${kind.toLowerCase()}`, 'v1'), undefined);
    });
  }
});

/** A registry that asks for a bearer token at `realm` for every /v2/ request. */
async function startChallenger(
  realm: string,
): Promise<{ url: string; realm: string; close(): Promise<void> }> {
  const state = { realm };
  const server = http.createServer((req, res) => {
    req.resume();
    res.writeHead(401, {
      'www-authenticate': `Bearer realm="${state.realm}",service="hostile-test"`,
      'content-type': 'application/json',
    });
    res.end('{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(state, {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  });
}
