// ACR's lock API (acrLocks.ts) against the real registry behind the ACR front emulator, and
// against a plain distribution registry, which has no /acr/v1/ API.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'mocha';
import { readTagLock, updateLock } from '../../../tasks/common/registry/acrLocks';
import { RegistryError } from '../../../tasks/common/registry/registryError';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { pushImage, retagImage } from '../../emulators/registry/images';
import { basic, stopAll, testClient } from '../../support/registryTestClient';

describe('ACR locks (registry library)', function () {
  this.timeout(60_000);
  let acr: RegistryFixture;
  let plain: RegistryFixture;
  const releaser = {
    username: 'releaser',
    password: randomUUID(),
    access: { '*': ['pull' as const, 'push' as const, 'metadata_read' as const, 'metadata_write' as const] },
  };
  const pusher = {
    username: 'pusher',
    password: randomUUID(),
    access: { '*': ['pull' as const, 'push' as const] },
  };

  before(async () => {
    [acr, plain] = await Promise.all([
      startRegistry({ auth: 'token', acr: true, users: [releaser, pusher] }),
      startRegistry({ auth: 'token', users: [releaser] }),
    ]);
  });
  after(() => stopAll([acr, plain]));

  it('reads a tag, locks it and its manifest, and ACR then refuses to move the tag', async () => {
    const image = await pushImage(acr, 'prod/app', { format: 'oci', tag: '1.0.0' });
    const other = await pushImage(acr, 'prod/app', { format: 'oci', tag: '2.0.0' });
    const client = testClient({ [acr.host]: basic(releaser) });
    const at = { registry: acr.host, repository: 'prod/app' };
    client.declareAccess([{ ...at, access: 'metadata_write' }]);

    const before = await readTagLock(client.http, at, '1.0.0');
    assert.deepEqual(before, {
      kind: 'tag',
      digest: image.digest,
      attributes: { writeEnabled: true, deleteEnabled: true },
    });
    const lock = { writeEnabled: false, deleteEnabled: false };
    assert.deepEqual(await updateLock(client.http, at, { tag: '1.0.0' }, lock), lock);
    assert.deepEqual(await updateLock(client.http, at, { digest: image.digest }, lock), lock);
    const after = await readTagLock(client.http, at, '1.0.0');
    assert.equal(after.kind === 'tag' && after.attributes.writeEnabled, false);

    // The lock is enforced on the distribution API: moving the tag is refused with ACR's error.
    await assert.rejects(retagImage(acr, 'prod/app', '1.0.0', other), /405|disallowed/i);
    assert.equal(acr.acr?.refusals().length, 1);
    assert.equal(
      acr.tokenServer?.requests().filter((r) => r.status === 200 && r.user === releaser.username).length,
      1,
      'one token covered the reads and the locks',
    );
  });

  it('tells an absent tag from a registry without the lock API', async () => {
    const client = testClient({ [acr.host]: basic(releaser), [plain.host]: basic(releaser) });
    assert.deepEqual(await readTagLock(client.http, { registry: acr.host, repository: 'prod/new' }, 'x'), {
      kind: 'absent',
    });
    const state = await readTagLock(client.http, { registry: plain.host, repository: 'prod/app' }, 'x');
    assert.equal(state.kind, 'unsupported');
  });

  it('fails naming the metadata_write permission when the token lacks it', async () => {
    await pushImage(acr, 'team/pushed', { format: 'oci', tag: '1' });
    const client = testClient({ [acr.host]: basic(pusher) });
    const at = { registry: acr.host, repository: 'team/pushed' };
    const err = await updateLock(client.http, at, { tag: '1' }, { writeEnabled: false }).then(
      () => assert.fail('the lock succeeded without metadata_write'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof RegistryError);
    assert.equal(err.details.status, 401);
    assert.match(err.message, /metadata_write/);
    assert.match(err.message, /Container Registry Repository Writer/);
  });
});
