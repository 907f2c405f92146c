// Sign-in against real registries: htpasswd Basic, bearer tokens with scope enforcement (one token
// for all scopes of a copy), ACR's Entra exchange, refresh tokens, and clear refusals.
import assert from 'node:assert/strict';
import { UserError } from '../../../tasks/common/errors';
import { copyImage } from '../../../tasks/common/copy/copy';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { RegistryError } from '../../../tasks/common/registry/registryError';
import { startRegistry, type RegistryFixture, type RegistryUser } from '../../emulators/registry';
import { getManifest, pushImage } from '../../emulators/registry/images';
import { basic, blobUploads, recordingSecrets, stopAll, testClient } from '../../support/registryTestClient';
import { findManifest } from '../../../tasks/common/registry';

const promoter: RegistryUser = {
  username: 'promoter',
  password: 'promoter-secret-1',
  access: { 'dev/*': ['pull'], 'prod/*': ['pull', 'push'] },
};
const outsider: RegistryUser = {
  username: 'outsider',
  password: 'outsider-secret-1',
  access: { 'prod/*': ['pull', 'push'] },
};
const reader: RegistryUser = { username: 'reader', password: 'reader-secret-1', access: { '*': ['pull'] } };
const ENTRA_TOKEN = 'entra-access-token-for-promoter';

const copyOptions = (reg: RegistryFixture, from: string, to: string, tags: string[]) => ({
  source: parseImageReference(`${reg.host}/${from}`),
  target: { registry: reg.host, repository: to },
  tags,
  overwrite: 'never' as const,
  copyReferrers: false,
  dryRun: false,
});

describe('registry/auth: sign-in against real registries', function () {
  this.timeout(120_000);
  let basicReg: RegistryFixture;
  let tokenReg: RegistryFixture;

  before(async () => {
    [basicReg, tokenReg] = await Promise.all([
      startRegistry({ auth: 'basic', users: [promoter] }),
      startRegistry({
        auth: 'token',
        users: [promoter, outsider, reader],
        entraTokens: { [ENTRA_TOKEN]: 'promoter' },
      }),
    ]);
  });
  after(() => stopAll([basicReg, tokenReg]));

  it('Basic: copies with htpasswd credentials sent up front after the first challenge', async () => {
    const image = await pushImage(basicReg, 'dev/app', { format: 'oci', layers: [1024, 2048], tag: 'v1' });
    const secrets = recordingSecrets();
    const client = testClient({ [basicReg.host]: basic(promoter) }, { secrets });
    basicReg.resetRequests();
    const report = await copyImage(client, copyOptions(basicReg, 'dev/app:v1', 'prod/app', ['v1']));
    client.close();
    const requests = await basicReg.requests();
    assert.equal(report.digest, image.digest);
    assert.equal(
      requests.filter((r) => r.status === 401).length,
      1,
      'one challenge, then Basic on every request',
    );
    assert.ok(
      [...secrets.values].some((v) => v === Buffer.from(`promoter:${promoter.password}`).toString('base64')),
    );
  });

  it('Basic: a wrong password fails with the registry, the operation and HTTP 401 named', async () => {
    const client = testClient({
      [basicReg.host]: { kind: 'basic', username: 'promoter', password: 'wrong' },
    });
    await assert.rejects(
      findManifest(client.http, parseImageReference(`${basicReg.host}/dev/app:v1`)),
      (err: unknown) => {
        assert.ok(err instanceof RegistryError);
        assert.equal(err.details.status, 401);
        assert.match(err.message, /read manifest v1 \(127\.0\.0\.1:\d+\/dev\/app\) answered HTTP 401/);
        assert.match(err.message, /did not accept the credentials/);
        assert.ok(!err.message.includes('wrong'), 'the password is not in the message');
        return true;
      },
    );
    client.close();
  });

  it('Token: one token carries push,pull on the target and pull on the source; blobs are mounted', async () => {
    const image = await pushImage(tokenReg, 'dev/svc', {
      format: 'docker',
      layers: [1024, 1024, 1024],
      tag: 'v1',
    });
    const before = tokenReg.tokenServer?.requests().length ?? 0;
    const client = testClient({ [tokenReg.host]: basic(promoter) });
    tokenReg.resetRequests();
    const report = await copyImage(client, copyOptions(tokenReg, 'dev/svc:v1', 'prod/svc', ['v1']));
    client.close();
    const tokens = tokenReg.tokenServer?.requests().slice(before) ?? [];
    assert.equal(report.blobsMounted, 4);
    assert.deepEqual(blobUploads(await tokenReg.requests()), []);
    assert.equal(tokens.length, 1, 'a single token for the whole copy');
    assert.deepEqual(tokens[0]?.scopes, ['repository:prod/svc:push,pull', 'repository:dev/svc:pull']);
    assert.equal(tokens[0]?.user, 'promoter');
    assert.equal((await getManifest(tokenReg, 'prod/svc', 'v1'))?.digest, image.digest);
  });

  it('Token: without pull on the source, the copy fails before any write, naming the missing right', async () => {
    await pushImage(tokenReg, 'dev/locked', { format: 'oci', tag: 'v1' });
    const client = testClient({ [tokenReg.host]: basic(outsider) });
    tokenReg.resetRequests();
    await assert.rejects(
      copyImage(client, copyOptions(tokenReg, 'dev/locked:v1', 'prod/locked', ['v1'])),
      (err: unknown) => {
        assert.ok(err instanceof UserError);
        assert.match(err.message, /lack pull rights on repository dev\/locked/);
        assert.ok(err.message.includes(tokenReg.host));
        return true;
      },
    );
    client.close();
    const written = (await tokenReg.requests()).filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    assert.deepEqual(written, []);
  });

  it('Token: without push on the target, the first write fails naming push rights', async () => {
    await pushImage(tokenReg, 'dev/readonly', { format: 'oci', tag: 'v1' });
    const client = testClient({ [tokenReg.host]: basic(reader) });
    await assert.rejects(
      copyImage(client, copyOptions(tokenReg, 'dev/readonly:v1', 'prod/readonly', ['v1'])),
      (err: unknown) => {
        assert.ok(err instanceof RegistryError);
        assert.match(err.message, /lack push rights on repository prod\/readonly/);
        return true;
      },
    );
    client.close();
  });

  it('ACR: an Entra access token is exchanged for a refresh token, then scoped access tokens', async () => {
    const image = await pushImage(tokenReg, 'dev/acr', { format: 'oci', layers: [2048], tag: 'v3' });
    const before = tokenReg.tokenServer?.requests().length ?? 0;
    const secrets = recordingSecrets();
    let asked = 0;
    const client = testClient(
      {
        [tokenReg.host]: {
          kind: 'entra',
          tenantId: '11111111-2222-3333-4444-555555555555',
          getAccessToken: () => {
            asked++;
            return Promise.resolve(ENTRA_TOKEN);
          },
        },
      },
      { secrets },
    );
    const report = await copyImage(client, copyOptions(tokenReg, 'dev/acr:v3', 'prod/acr', ['v3']));
    client.close();
    const calls = tokenReg.tokenServer?.requests().slice(before) ?? [];
    assert.equal(report.digest, image.digest);
    assert.equal(asked, 1);
    assert.deepEqual(
      calls.map((c) => `${c.endpoint} ${c.grantType ?? ''} ${c.status}`),
      ['exchange access_token 200', 'token refresh_token 200'],
    );
    assert.equal(calls[1]?.user, 'promoter');
    assert.ok(secrets.values.has(ENTRA_TOKEN), 'the Entra token is registered as a secret');
    assert.ok(secrets.values.size >= 3, 'Entra token, refresh token and access token registered');
  });

  it('ACR: an Entra token the registry does not know fails clearly', async () => {
    const client = testClient({
      [tokenReg.host]: { kind: 'entra', getAccessToken: () => Promise.resolve('unknown-token') },
    });
    await assert.rejects(
      findManifest(client.http, parseImageReference(`${tokenReg.host}/dev/acr:v3`)),
      (err: unknown) => {
        assert.ok(err instanceof RegistryError);
        assert.match(err.message, /exchange Entra ID token at http:\/\/127\.0\.0\.1:\d+\/oauth2\/exchange/);
        assert.match(err.message, /HTTP 401/);
        return true;
      },
    );
    client.close();
  });

  it('Token: wrong credentials fail at the token service with the registry named', async () => {
    const client = testClient({ [tokenReg.host]: { kind: 'basic', username: 'promoter', password: 'nope' } });
    await assert.rejects(
      findManifest(client.http, parseImageReference(`${tokenReg.host}/dev/acr:v3`)),
      (err: unknown) => {
        assert.ok(err instanceof RegistryError);
        assert.equal(err.details.status, 401);
        assert.ok(err.message.includes(tokenReg.host));
        assert.match(err.message, /did not accept the credentials/);
        return true;
      },
    );
    client.close();
  });
});
