// The referrers-API proxy's own behaviour: a manifest with `subject` PUT through it is answered
// with OCI-Subject and listed by GET /v2/<name>/referrers/<digest> (filterable by artifactType);
// everything else reaches the registry fixture unchanged.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { startRegistry, type RegistryFixture } from './registry';
import { putManifest, uploadBlob } from './registry/distributionApi';
import { getManifest, pushImage } from './registry/images';
import { RegistryClient } from './registry/registryClient';
import { startReferrersApiProxy, type ReferrersApiProxy } from './referrersApiProxy';

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

describe('emulators: referrers API proxy', function () {
  this.timeout(30_000);
  let reg: RegistryFixture;
  let proxy: ReferrersApiProxy;
  before(async () => {
    reg = await startRegistry({ auth: 'anonymous' });
    proxy = await startReferrersApiProxy(Number(reg.host.split(':')[1]));
  });
  after(async () => {
    await proxy?.close();
    await reg?.stop();
  });

  it('indexes a manifest with a subject and lists it, filtered by artifactType', async () => {
    const image = await pushImage(reg, 'app', { format: 'oci', layers: [16], tag: '1' });
    const client = new RegistryClient({ ...reg, host: proxy.host });
    const empty = await uploadBlob(client, 'app', Buffer.from('{}'));
    const body = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        artifactType: 'application/example',
        config: { mediaType: 'application/vnd.oci.empty.v1+json', ...empty },
        layers: [{ mediaType: 'application/vnd.oci.empty.v1+json', ...empty }],
        subject: { mediaType: OCI_MANIFEST, digest: image.digest, size: image.body.length },
      }),
    );
    const put = await client.expect([201], 'PUT', `/v2/app/manifests/${image.digest.replace(':', '-')}-x`, {
      headers: { 'Content-Type': OCI_MANIFEST },
      body,
    });
    assert.equal(put.headers['oci-subject'], image.digest);
    const list = async (query = '') =>
      (
        JSON.parse(
          (await client.expect([200], 'GET', `/v2/app/referrers/${image.digest}${query}`)).body.toString(
            'utf8',
          ),
        ) as {
          manifests: { artifactType: string }[];
        }
      ).manifests;
    assert.deepEqual(
      (await list()).map((m) => m.artifactType),
      ['application/example'],
    );
    assert.deepEqual(await list('?artifactType=application/other'), []);
    assert.ok(
      await getManifest(reg, 'app', `${image.digest.replace(':', '-')}-x`),
      'stored in the registry behind',
    );
    await putManifest(client, 'app', '2', OCI_MANIFEST, image.body);
    assert.equal((await list()).length, 1, 'a manifest without subject is not indexed');
  });
});
