import assert from 'node:assert/strict';
import { parsePlatform, selectPlatform } from '../../../tasks/common/pinning/registryResolver';
import type { Descriptor } from '../../../tasks/common/registry/manifest';
import { fakeDigest } from '../../emulators/fakeRegistry';

function child(platform: string): Descriptor {
  const [os = '', architecture = '', variant] = platform.split('/');
  return {
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    digest: fakeDigest(platform),
    size: 1,
    platform: variant ? { os, architecture, variant } : { os, architecture },
  };
}

describe('platform selection in an index', () => {
  const index = ['linux/amd64', 'linux/arm/v6', 'linux/arm/v7', 'linux/arm64/v8', 'unknown/unknown'].map(
    child,
  );

  it('matches os and architecture, applying default variants (arm64 is v8, arm is v7)', () => {
    assert.equal(selectPlatform(index, 'linux/amd64')?.digest, fakeDigest('linux/amd64'));
    assert.equal(selectPlatform(index, 'linux/arm64')?.digest, fakeDigest('linux/arm64/v8'));
    assert.equal(selectPlatform(index, 'linux/arm64/v8')?.digest, fakeDigest('linux/arm64/v8'));
    assert.equal(selectPlatform(index, 'linux/arm')?.digest, fakeDigest('linux/arm/v7'));
    assert.equal(selectPlatform(index, 'Linux/ARM/v6')?.digest, fakeDigest('linux/arm/v6'));
    assert.equal(selectPlatform([child('linux/arm64')], 'linux/arm64/v8')?.digest, fakeDigest('linux/arm64'));
  });

  it('finds nothing for a platform the index lacks', () => {
    assert.equal(selectPlatform(index, 'linux/s390x'), undefined);
    assert.equal(selectPlatform(index, 'windows/amd64'), undefined);
    assert.equal(selectPlatform(index, 'linux/arm/v5'), undefined);
  });

  it('rejects what is not os/architecture[/variant]', () => {
    assert.deepEqual(parsePlatform('linux/arm/v7'), { os: 'linux', architecture: 'arm', variant: 'v7' });
    for (const bad of ['linux', 'linux/', '/amd64', 'linux/arm/v7/x']) {
      assert.throws(() => parsePlatform(bad), /is not os\/architecture\[\/variant\]/, bad);
    }
  });
});
