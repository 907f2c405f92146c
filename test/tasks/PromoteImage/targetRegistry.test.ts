// PromoteImage@1's `targetRegistry` (the classic editor's registry picker, filled from the Azure
// subscription's login servers): `targetImage` lines without a host get it, a line naming another
// host fails naming both inputs before anything is written. The packaged task against the real
// CNCF registry.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { getManifest, listTags, pushImage } from '../../emulators/registry/images';
import { disposeTaskRuns } from '../../support/taskRunner';
import { failureOf, output, promote, succeeded } from './promoteRun';

describe('PromoteImage@1: targetRegistry', function () {
  this.timeout(120_000);
  let nonprod: RegistryFixture;
  let prod: RegistryFixture;

  before(async () => {
    [nonprod, prod] = await Promise.all([
      startRegistry({ auth: 'anonymous' }),
      startRegistry({ auth: 'anonymous' }),
    ]);
  });
  after(async () => {
    disposeTaskRuns();
    await Promise.all([nonprod?.stop(), prod?.stop()]);
  });

  it('targetImage lines written as repository[:tag] land in the picked registry', async () => {
    const one = await pushImage(nonprod, 'delivery', { format: 'oci', layers: [1024], tag: 'v1.0.2' });
    const two = await pushImage(nonprod, 'web', { format: 'oci', layers: [2048], tag: 'v3' });
    const run = succeeded(
      await promote({
        inputs: {
          sourceImage: `${nonprod.host}/delivery:v1.0.2\n${nonprod.host}/web:v3`,
          targetImage: `prod/delivery\nweb:stable`,
          targetRegistry: prod.host,
          copyReferrers: 'false',
        },
      }),
    );
    assert.equal((await getManifest(prod, 'prod/delivery', 'v1.0.2'))?.digest, one.digest);
    assert.equal((await getManifest(prod, 'web', 'stable'))?.digest, two.digest);
    assert.deepEqual(JSON.parse(output(run, 'imageReferences')), [
      `${prod.host}/prod/delivery:v1.0.2@${one.digest}`,
      `${prod.host}/web:stable@${two.digest}`,
    ]);
  });

  it('a line naming the same host is accepted as it is', async () => {
    const image = await pushImage(nonprod, 'cart', { format: 'oci', layers: [512], tag: '2.0.0' });
    succeeded(
      await promote({
        inputs: {
          sourceImage: `${nonprod.host}/cart:2.0.0`,
          targetImage: `${prod.host}/prod/cart`,
          targetRegistry: `https://${prod.host}/`,
          copyReferrers: 'false',
        },
      }),
    );
    assert.equal((await getManifest(prod, 'prod/cart', '2.0.0'))?.digest, image.digest);
  });

  it('a line naming another host fails naming both inputs, with nothing written', async () => {
    await pushImage(nonprod, 'billing', { format: 'oci', layers: [512], tag: '1.0.0' });
    const message = failureOf(
      await promote({
        inputs: {
          sourceImage: `${nonprod.host}/billing:1.0.0\n${nonprod.host}/billing:1.0.0`,
          targetImage: `prod/billing\n${nonprod.host}/prod/billing`,
          targetRegistry: prod.host,
        },
      }),
    );
    assert.match(
      message,
      new RegExp(
        `Input 'targetImage' line 2: ${nonprod.host}/prod/billing names registry ${nonprod.host} but input 'targetRegistry' is ${prod.host}`,
      ),
    );
    assert.deepEqual(await listTags(prod, 'prod/billing'), []);
    assert.deepEqual(await listTags(nonprod, 'prod/billing'), []);
  });

  it('a targetRegistry that is not a login server fails naming the input', async () => {
    const message = failureOf(
      await promote({
        inputs: { sourceImage: `${nonprod.host}/x:1`, targetImage: 'x', targetRegistry: 'fabrikam' },
      }),
    );
    assert.match(message, /Input 'targetRegistry' \(fabrikam\) must be a registry login server/);
  });
});
