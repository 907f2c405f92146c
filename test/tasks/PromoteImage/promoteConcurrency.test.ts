// PromoteImage@1 runs racing each other: the same promotion twice at once, one source to two
// targets at once, two images to one tag at once. Whatever the interleaving, every run ends in
// success or a clean refusal, and each target tag points at complete content: every child
// manifest and every blob of the tree it names is in the target repository.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'mocha';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { blobExists, getManifest, pushImage } from '../../emulators/registry/images';
import { disposeTaskRuns, type TaskRun } from '../../support/taskRunner';
import { output, promote, succeeded } from './promoteRun';

interface ManifestJson {
  manifests?: { digest: string }[];
  config?: { digest: string };
  layers?: { digest: string }[];
}

/**
 * Walks the tree a tag names in the target (index -> children -> config and layers), asserting
 * every manifest reads back by digest and every blob answers HEAD; returns the blobs seen.
 */
async function assertComplete(reg: RegistryFixture, repository: string, tag: string): Promise<Set<string>> {
  const root = await getManifest(reg, repository, tag);
  assert.ok(root, `${repository}:${tag} exists`);
  const blobs = new Set<string>();
  const walk = async (digest: string): Promise<void> => {
    const manifest = await getManifest(reg, repository, digest);
    assert.equal(manifest?.digest, digest, `manifest ${digest} in ${repository}`);
    const parsed = JSON.parse(manifest.body.toString('utf8')) as ManifestJson;
    for (const child of parsed.manifests ?? []) await walk(child.digest);
    for (const blob of [...(parsed.config ? [parsed.config] : []), ...(parsed.layers ?? [])]) {
      assert.ok(await blobExists(reg, repository, blob.digest), `blob ${blob.digest} in ${repository}`);
      blobs.add(blob.digest);
    }
  };
  await walk(root.digest);
  return blobs;
}

describe('PromoteImage@1 concurrent runs', function () {
  this.timeout(240_000);
  let nonprod: RegistryFixture;
  let prod: RegistryFixture;

  before(async () => {
    [nonprod, prod] = await Promise.all([startRegistry(), startRegistry()]);
  });
  after(async () => {
    disposeTaskRuns();
    await Promise.all([nonprod?.stop(), prod?.stop()]);
  });

  it('the same promotion twice at once: both succeed, the tag names the source digest, nothing missing', async () => {
    // A 20 MiB layer per platform: uploaded in chunks, so the two runs interleave chunk by chunk.
    const image = await pushImage(nonprod, 'race/api', {
      format: 'oci',
      platforms: ['linux/amd64', 'linux/arm64'],
      layers: [20 * 1024 * 1024, 64 * 1024],
      tag: '5.0.0',
    });
    const inputs = {
      sourceImage: `${nonprod.host}/race/api:5.0.0`,
      targetImage: `${prod.host}/prod/api:5.0.0`,
    };
    const runs = await Promise.all([promote({ inputs }), promote({ inputs })]);
    for (const run of runs) assert.equal(output(succeeded(run), 'digest'), image.digest);
    assert.equal((await getManifest(prod, 'prod/api', '5.0.0'))?.digest, image.digest);
    const blobs = await assertComplete(prod, 'prod/api', '5.0.0');
    assert.deepEqual([...blobs].sort(), image.blobs.map((b) => b.digest).sort());
  });

  it('one source to two targets at once: both succeed and both targets are complete', async () => {
    const image = await pushImage(nonprod, 'race/worker', {
      format: 'docker',
      platforms: ['linux/amd64', 'linux/arm64'],
      layers: [2 * 1024 * 1024, 512 * 1024],
      tag: '1.4.0',
    });
    const runs = await Promise.all(
      ['prod/worker', 'staging/worker'].map((repository) =>
        promote({
          inputs: {
            sourceImage: `${nonprod.host}/race/worker:1.4.0`,
            targetImage: `${prod.host}/${repository}:1.4.0`,
          },
        }),
      ),
    );
    for (const run of runs) assert.equal(output(succeeded(run), 'digest'), image.digest);
    for (const repository of ['prod/worker', 'staging/worker']) {
      assert.equal((await getManifest(prod, repository, '1.4.0'))?.digest, image.digest, repository);
      const blobs = await assertComplete(prod, repository, '1.4.0');
      assert.equal(blobs.size, image.blobs.length, repository);
    }
  });

  it('two images to one tag at once (overwrite: never): each run succeeds or refuses cleanly, the tag names a complete image a run reported', async () => {
    const images = await Promise.all(
      ['a', 'b'].map((name) =>
        pushImage(nonprod, `race/${name}`, { format: 'oci', layers: [1024 * 1024, 4096], tag: '2.0.0' }),
      ),
    );
    const runs: TaskRun[] = await Promise.all(
      ['a', 'b'].map((name) =>
        promote({
          inputs: {
            sourceImage: `${nonprod.host}/race/${name}:2.0.0`,
            targetImage: `${prod.host}/prod/contested:2.0.0`,
            overwrite: 'never',
          },
        }),
      ),
    );
    const reported = new Set<string>();
    runs.forEach((run, i) => {
      if (run.agentResult === 'Succeeded') {
        reported.add(output(run, 'digest'));
        return;
      }
      const message = run.message ?? '';
      assert.match(message, /already point to another image/, message);
      assert.ok(message.includes('2.0.0') && message.includes(images[i]?.digest ?? '-'), message);
      assert.doesNotMatch(run.stdout + run.stderr, /\n\s+at .+\(.+:\d+:\d+\)/, 'no stack trace');
    });
    assert.ok(reported.size > 0, 'at least one run succeeded');
    const tagged = (await getManifest(prod, 'prod/contested', '2.0.0'))?.digest;
    assert.ok(
      tagged !== undefined && reported.has(tagged),
      `the tag names ${tagged}, a digest a run reported`,
    );
    await assertComplete(prod, 'prod/contested', '2.0.0');
  });
});
