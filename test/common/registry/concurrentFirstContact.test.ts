// Many first requests to a plain-HTTP loopback registry at once: every one must find its way to
// HTTP, not only the one whose TLS error taught the client the registry's scheme.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { Endpoints } from '../../../tasks/common/registry/endpoints';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { pushImage } from '../../emulators/registry/images';
import { testClient } from '../../support/registryTestClient';
import { findManifest } from '../../../tasks/common/registry';

describe('registry/endpoints: concurrent first contact with a plain-HTTP registry', function () {
  this.timeout(60_000);
  let reg: RegistryFixture;
  before(async () => {
    reg = await startRegistry({ auth: 'anonymous' });
  });
  after(async () => reg?.stop());

  it('repeats any HTTPS failure over HTTP once the registry is known to speak it', () => {
    const endpoints = new Endpoints([]);
    const tlsToPlain = Object.assign(new Error('wrong version number'), { code: 'EPROTO' });
    const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    assert.equal(endpoints.downgrade('127.0.0.1:5000', reset), false, 'a reset alone proves nothing');
    assert.equal(endpoints.downgrade('127.0.0.1:5000', tlsToPlain), true);
    assert.equal(endpoints.downgrade('127.0.0.1:5000', reset), true, 'a racing request is repeated too');
  });

  it('resolves 30 references started at once on a fresh client', async () => {
    const images = await Promise.all(
      Array.from({ length: 6 }, (_, i) => pushImage(reg, `race/app${i}`, { format: 'oci', tag: 'v1' })),
    );
    const client = testClient();
    const refs = Array.from({ length: 30 }, (_, i) => parseImageReference(`${reg.host}/race/app${i % 6}:v1`));
    const resolved = await Promise.all(refs.map((ref) => findManifest(client.http, ref)));
    resolved.forEach((r, i) => assert.equal(r?.digest, images[i % 6]?.digest));
  });
});
