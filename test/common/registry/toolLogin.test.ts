// A tool's own registry login (helm registry login) comes from the registry client's
// authenticator: the same credential, the same realm rule and one ACR exchange per registry.
import assert from 'node:assert/strict';
import { ACR_TOKEN_USERNAME } from '../../../tasks/common/registry/toolSignIn';
import { findManifest } from '../../../tasks/common/registry';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { pushImage } from '../../emulators/registry/images';
import { basic, testClient } from '../../support/registryTestClient';

describe('RegistryClient.toolLogin', function () {
  this.timeout(60_000);
  let reg: RegistryFixture;
  const user = {
    username: 'pusher',
    password: 'pusher-password-1',
    access: { 'app/*': ['pull' as const, 'push' as const] },
  };
  before(async () => {
    reg = await startRegistry({
      auth: 'token',
      users: [user],
      entraTokens: { 'entra-token-5678': 'pusher' },
    });
  });
  after(async () => reg?.stop());

  const exchanges = () => (reg.tokenServer?.requests() ?? []).filter((r) => r.endpoint === 'exchange').length;

  it('exchanges an Entra ID token once for the tool and the client alike', async () => {
    const image = await pushImage(reg, 'app/web', { format: 'oci', tag: 'v1' });
    let asked = 0;
    const entra = {
      kind: 'entra' as const,
      getAccessToken: () => (asked++, Promise.resolve('entra-token-5678')),
    };
    const client = testClient({ [reg.host]: entra });
    const before = exchanges();
    try {
      const login = await client.toolLogin(reg.host);
      assert.equal(login?.username, ACR_TOKEN_USERNAME);
      const resolved = await findManifest(client.http, {
        registry: reg.host,
        repository: 'app/web',
        tag: 'v1',
      });
      assert.equal(resolved?.digest, image.digest);
      assert.equal(await client.toolLogin(reg.host).then((l) => l?.password), login?.password);
    } finally {
      client.close();
    }
    assert.equal(exchanges() - before, 1, 'one /oauth2/exchange for the login and the client');
    assert.equal(asked, 1, 'one Entra ID token');
  });

  it("hands over a connection's user name and password, and nothing for anonymous", async () => {
    const client = testClient({ [reg.host]: basic(user) });
    const anonymous = testClient();
    try {
      assert.deepEqual(await client.toolLogin(reg.host), {
        username: user.username,
        password: user.password,
      });
      assert.equal(await anonymous.toolLogin(reg.host), undefined);
    } finally {
      client.close();
      anonymous.close();
    }
  });
});
