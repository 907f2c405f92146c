// Self-tests of the real-registry fixture (distribution 2.8 + token server + fault proxy) and of
// its image helpers. Raw protocol calls use fetch, not the fixture's own client.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { runningRegistries, startRegistry, type RegistryFixture, type RegistryUser } from './';
import { blobExists, deleteManifest, getManifest, listTags, pushImage, pushReferrer } from './images';
import { basicAuthorization, postTokenForm, requestToken } from './tokenClient';

const sha256 = (b: Buffer) => `sha256:${crypto.createHash('sha256').update(b).digest('hex')}`;
const callRegistry = (reg: RegistryFixture, method: string, path: string, token: string) =>
  fetch(`http://${reg.host}${path}`, { method, headers: { Authorization: `Bearer ${token}` } });

describe('registry fixture', function () {
  this.timeout(30_000);

  for (const auth of ['anonymous', 'basic', 'token'] as const) {
    it(`${auth}: starts, answers /v2/, stops without leftovers`, async () => {
      const before = runningRegistries().map((c) => c.pid);
      const reg = await startRegistry({ auth });
      const started = runningRegistries().filter((c) => !before.includes(c.pid));
      assert.equal(started.length, 1);
      assert.ok(fs.existsSync(started[0]!.dir));
      const res = await fetch(`http://${reg.host}/v2/`);
      assert.equal(res.status, auth === 'anonymous' ? 200 : 401);
      if (auth === 'token')
        assert.match(
          res.headers.get('www-authenticate') ?? '',
          /^Bearer realm="http:\/\/127\.0\.0\.1:\d+\/oauth2\/token",service="127\.0\.0\.1:\d+"/,
        );
      await reg.stop();
      assert.deepEqual(
        runningRegistries().filter((c) => c.pid === started[0]!.pid),
        [],
      );
      assert.equal(fs.existsSync(started[0]!.dir), false);
      await assert.rejects(fetch(`http://${reg.host}/v2/`));
    });
  }

  it('basic: accepts the right password and rejects a wrong one with 401', async () => {
    const alice = { username: 'alice', password: 'correct horse', access: {} };
    const reg = await startRegistry({ auth: 'basic', users: [alice] });
    try {
      const get = (u: typeof alice) =>
        fetch(`http://${reg.host}/v2/`, { headers: { Authorization: basicAuthorization(u) } });
      assert.equal((await get(alice)).status, 200);
      assert.equal((await get(reg.admin)).status, 200);
      assert.equal((await get({ ...alice, password: 'wrong' })).status, 401);
    } finally {
      await reg.stop();
    }
  });

  describe('token auth', () => {
    let reg: RegistryFixture;
    const reader: RegistryUser = { username: 'reader', password: 'r-pw', access: { 'a/*': ['pull'] } };
    const mover: RegistryUser = {
      username: 'mover',
      password: 'm-pw',
      access: { 'a/*': ['pull'], 'b/*': ['pull', 'push'] },
    };
    const pusherOnly: RegistryUser = {
      username: 'only-b',
      password: 'o-pw',
      access: { 'b/*': ['pull', 'push'] },
    };
    before(async () => {
      reg = await startRegistry({
        auth: 'token',
        users: [reader, mover, pusherOnly],
        anonymousAccess: { 'public/*': ['pull'] },
        entraTokens: { 'entra-token-of-mover': 'mover' },
      });
    });
    after(() => reg.stop());

    it('grants only the intersection of requested and allowed actions', async () => {
      const t = await requestToken(reg, reader, ['repository:a/x:pull,push', 'repository:c/y:pull']);
      assert.deepEqual(t.access, [{ type: 'repository', name: 'a/x', actions: ['pull'] }]);
      const anon = await requestToken(reg, undefined, [
        'repository:public/p:pull,push',
        'repository:a/x:pull',
      ]);
      assert.deepEqual(anon.access, [{ type: 'repository', name: 'public/p', actions: ['pull'] }]);
      assert.equal((await requestToken(reg, { ...reader, password: 'bad' }, [])).status, 401);
      const logged = reg.tokenServer!.requests().slice(-3);
      assert.deepEqual(
        logged.map((r) => [r.user, r.status]),
        [
          ['reader', 200],
          [undefined, 200],
          [undefined, 401],
        ],
      );
      assert.deepEqual(logged[0]!.scopes, ['repository:a/x:pull,push', 'repository:c/y:pull']);
    });

    it('a user with pull only cannot push; pull works', async () => {
      await pushImage(reg, 'a/app', { format: 'oci', tag: 'v1' });
      const t = await requestToken(reg, reader, ['repository:a/app:pull,push']);
      assert.equal((await callRegistry(reg, 'GET', '/v2/a/app/tags/list', t.token)).status, 200);
      const push = await callRegistry(reg, 'POST', '/v2/a/app/blobs/uploads/', t.token);
      assert.ok([401, 403].includes(push.status), `push answered ${push.status}`);
      assert.match(push.headers.get('www-authenticate') ?? '', /insufficient_scope/);
    });

    it('a mount needs pull on the source in the same token', async () => {
      const image = await pushImage(reg, 'a/src', { format: 'docker' });
      const blob = image.blobs[0]!.digest;
      const mount = (token: string, target: string) =>
        callRegistry(reg, 'POST', `/v2/${target}/blobs/uploads/?mount=${blob}&from=a/src`, token);
      const both = await requestToken(reg, mover, ['repository:b/dst:pull,push', 'repository:a/src:pull']);
      assert.equal((await mount(both.token, 'b/dst')).status, 201);
      assert.equal(await blobExists(reg, 'b/dst', blob), true);
      const targetOnly = await requestToken(reg, mover, ['repository:b/dst2:pull,push']);
      assert.equal((await mount(targetOnly.token, 'b/dst2')).status, 401); // 2.8: not 202
      const denied = await requestToken(reg, pusherOnly, [
        'repository:b/dst3:pull,push',
        'repository:a/src:pull',
      ]);
      assert.deepEqual(
        denied.access.map((a) => a.name),
        ['b/dst3'],
      );
      assert.equal((await mount(denied.token, 'b/dst3')).status, 401);
      assert.equal(await blobExists(reg, 'b/dst2', blob), false);
    });

    it('ACR exchange: Entra token -> refresh token -> usable access token', async () => {
      const realm = `${reg.tokenServer!.url}/oauth2/token`;
      const exchangeUrl = new URL('/oauth2/exchange', realm).href;
      const form = { grant_type: 'access_token', service: reg.host, tenant: 't' };
      assert.equal((await postTokenForm(exchangeUrl, { ...form, access_token: 'not-known' })).status, 401);
      const exchanged = await postTokenForm(exchangeUrl, { ...form, access_token: 'entra-token-of-mover' });
      assert.equal(exchanged.status, 200);
      const refresh = exchanged.body['refresh_token']!;
      const scope = 'repository:b/acr:pull,push repository:a/src:pull';
      const granted = await postTokenForm(realm, {
        grant_type: 'refresh_token',
        service: reg.host,
        scope,
        refresh_token: refresh,
      });
      assert.equal(granted.status, 200);
      const upload = await callRegistry(
        reg,
        'POST',
        '/v2/b/acr/blobs/uploads/',
        granted.body['access_token']!,
      );
      assert.equal(upload.status, 202);
      const bad = await postTokenForm(realm, {
        grant_type: 'refresh_token',
        service: reg.host,
        scope,
        refresh_token: 'x',
      });
      assert.equal(bad.status, 401);
      const pw = await postTokenForm(realm, {
        grant_type: 'password',
        service: reg.host,
        scope,
        username: 'mover',
        password: 'm-pw',
        access_type: 'offline',
      });
      const again = await postTokenForm(realm, {
        grant_type: 'refresh_token',
        service: reg.host,
        scope,
        refresh_token: pw.body['refresh_token']!,
      });
      assert.equal(again.status, 200);
      const exchanges = reg.tokenServer!.requests().filter((r) => r.endpoint === 'exchange');
      assert.deepEqual(
        exchanges.map((r) => [r.user, r.status]),
        [
          [undefined, 401],
          ['mover', 200],
        ],
      );
    });
  });

  describe('image helpers (anonymous registry)', () => {
    let reg: RegistryFixture;
    before(async () => (reg = await startRegistry()));
    after(() => reg.stop());

    for (const format of ['oci', 'docker'] as const) {
      for (const platforms of [undefined, ['linux/amd64', 'linux/arm64/v8']]) {
        it(`${format} ${platforms ? 'multi-platform' : 'single'}: digests match what the registry serves`, async () => {
          const repo = `img/${format}-${platforms ? 'multi' : 'single'}`;
          const image = await pushImage(reg, repo, { format, platforms, tag: 'v1' });
          const read = await getManifest(reg, repo, 'v1');
          assert.equal(read?.digest, image.digest);
          assert.equal(read.digest, sha256(read.body));
          assert.equal(read.mediaType, image.mediaType);
          assert.equal(image.children.length, platforms?.length ?? 1);
          for (const child of image.children) {
            assert.equal((await getManifest(reg, repo, child.digest))?.digest, child.digest);
          }
          for (const blob of image.blobs) assert.equal(await blobExists(reg, repo, blob.digest), true);
          assert.deepEqual(await listTags(reg, repo), ['v1']);
        });
      }
    }

    it('seeds decide content; deleteManifest removes a manifest', async () => {
      const a = await pushImage(reg, 'img/seeded', { format: 'oci', seed: 's1', layers: [300_000] });
      const b = await pushImage(reg, 'img/seeded', { format: 'oci', seed: 's1', layers: [300_000] });
      const c = await pushImage(reg, 'img/seeded', { format: 'oci', seed: 's2', layers: [300_000] });
      assert.equal(a.digest, b.digest);
      assert.notEqual(a.digest, c.digest);
      await deleteManifest(reg, 'img/seeded', c.digest);
      assert.equal(await getManifest(reg, 'img/seeded', c.digest), undefined);
    });

    it('referrers are discoverable by their fallback tags', async () => {
      const image = await pushImage(reg, 'img/signed', { format: 'oci', tag: 'v1' });
      const fallback = image.digest.replace(':', '-');
      const r1 = await pushReferrer(reg, 'img/signed', image.digest, 'fallback-index');
      const r2 = await pushReferrer(reg, 'img/signed', image.digest, 'fallback-index', {
        artifactType: 'application/spdx+json',
      });
      const index = await getManifest(reg, 'img/signed', fallback);
      const listed = (
        JSON.parse(index!.body.toString()) as { manifests: { digest: string; artifactType: string }[] }
      ).manifests;
      assert.deepEqual(
        listed.map((m) => m.digest),
        [r1.digest, r2.digest],
      );
      assert.equal(listed[1]!.artifactType, 'application/spdx+json');
      for (const kind of ['cosign-sig', 'cosign-att', 'cosign-sbom'] as const) {
        const art = await pushReferrer(reg, 'img/signed', image.digest, kind);
        const byTag = await getManifest(reg, 'img/signed', `${fallback}.${kind.slice(7)}`);
        assert.equal(byTag?.digest, art.digest);
        const subject = (JSON.parse(byTag.body.toString()) as { subject: { digest: string } }).subject;
        assert.equal(subject.digest, image.digest);
      }
      assert.equal((await listTags(reg, 'img/signed')).length, 5);
    });

    it('requests() lists what the registry served since resetRequests()', async () => {
      const image = await pushImage(reg, 'img/logged', { format: 'oci', tag: 'v1' });
      reg.resetRequests();
      await getManifest(reg, 'img/logged', 'v1');
      await blobExists(reg, 'img/logged', image.blobs[0]!.digest);
      await getManifest(reg, 'img/logged', 'missing');
      const seen = await reg.requests();
      assert.deepEqual(
        seen.map((r) => `${r.method} ${r.path} ${r.status}`),
        [
          'GET /v2/img/logged/manifests/v1 200',
          `HEAD /v2/img/logged/blobs/${image.blobs[0]!.digest} 200`,
          'GET /v2/img/logged/manifests/missing 404',
        ],
      );
    });
  });

  it('faults: injects answers in front of a token-auth registry, then passes through', async () => {
    const reg = await startRegistry({ auth: 'token', faults: true });
    try {
      const image = await pushImage(reg, 'f/app', {
        format: 'oci',
        tag: 'v1',
        platforms: ['linux/amd64', 'linux/arm64'],
      });
      reg.resetRequests();
      const digest = image.blobs[0]!.digest;
      reg.injectFault!({
        match: (m, p) => m === 'HEAD' && p.endsWith(digest),
        status: 503,
        headers: { 'Retry-After': '1' },
        times: 2,
      });
      const t = await requestToken(reg, reg.admin, ['repository:f/app:pull']);
      const heads = [];
      for (let i = 0; i < 3; i++) {
        const res = await callRegistry(reg, 'HEAD', `/v2/f/app/blobs/${digest}`, t.token);
        heads.push(`${res.status} ${res.headers.get('retry-after')}`);
      }
      assert.deepEqual(heads, ['503 1', '503 1', '200 null']);
      const seen = await reg.requests();
      assert.deepEqual(
        seen.map((r) => [r.status, r.injected ?? false]),
        [
          [503, true],
          [503, true],
          [200, false],
        ],
      );
      assert.equal((await getManifest(reg, 'f/app', 'v1'))?.digest, image.digest);
    } finally {
      await reg.stop();
    }
  });
});
