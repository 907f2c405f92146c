// An Entra ID token goes only to the registry's own token service (ACR); a registry whose token
// service lives on another host is asked anonymously and never sees the token.
import assert from 'node:assert/strict';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { pushImage } from '../../emulators/registry/images';
import { testClient } from '../../support/registryTestClient';
import { findManifest } from '../../../tasks/common/registry';

describe('registry/auth: where an Entra ID token may go', function () {
  this.timeout(60_000);
  let reg: RegistryFixture;
  before(async () => {
    reg = await startRegistry({
      auth: 'token',
      anonymousAccess: { 'public/*': ['pull'] },
      entraTokens: { 'entra-token-1234': 'admin' },
    });
  });
  after(async () => reg?.stop());

  it('uses the Entra credential with a token service on the registry host, and anonymous elsewhere', async () => {
    const image = await pushImage(reg, 'public/app', { format: 'oci', tag: 'v1' });
    let asked = 0;
    const entra = {
      kind: 'entra' as const,
      getAccessToken: () => (asked++, Promise.resolve('entra-token-1234')),
    };
    const port = reg.host.split(':')[1];
    // The token service is at 127.0.0.1: same host name as 127.0.0.1:<port>, not as localhost:<port>.
    const elsewhere = testClient({ [`localhost:${port}`]: entra });
    const resolved = await findManifest(
      elsewhere.http,
      parseImageReference(`localhost:${port}/public/app:v1`),
    );
    assert.equal(resolved?.digest, image.digest);
    assert.equal(asked, 0, 'the Entra token was not sent to a token service on another host');
    const own = testClient({ [reg.host]: entra });
    assert.equal(
      (await findManifest(own.http, parseImageReference(`${reg.host}/public/app:v1`)))?.digest,
      image.digest,
    );
    assert.equal(asked, 1, 'the registry on the token service host got the exchange');
  });
});
