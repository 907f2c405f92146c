// A copy across registries streams each blob from the source into the target's upload. When the
// source read fails (403, 404), the error is the source's, with its status and hint, and it is
// not retried or reported as a network failure of the target.
import assert from 'node:assert/strict';
import { copyImage } from '../../../tasks/common/copy/copy';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { RegistryError } from '../../../tasks/common/registry/registryError';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { listTags, pushImage } from '../../emulators/registry/images';
import { stopAll, testClient } from '../../support/registryTestClient';

describe('registry/sourceReadStatus: a failed source blob read keeps its status', function () {
  this.timeout(120_000);
  let source: RegistryFixture;
  let target: RegistryFixture;
  before(async () => {
    [source, target] = await Promise.all([startRegistry({ faults: true }), startRegistry()]);
  });
  after(() => stopAll([source, target]));

  for (const status of [403, 404]) {
    it(`a source blob read answering ${status}: the message names the source blob and ${status}, one read, nothing tagged`, async () => {
      const repo = `dev/unreadable${status}`;
      const image = await pushImage(source, repo, { format: 'oci', layers: [30_000], tag: 'v1' });
      const layer = image.children[0]?.layers[0]?.digest ?? '';
      assert.ok(source.injectFault !== undefined);
      source.injectFault({
        match: (method, path) => method === 'GET' && path === `/v2/${repo}/blobs/${layer}`,
        status,
        times: 100,
      });
      source.resetRequests();
      const client = testClient({}, { maxRetries: 3 });
      await assert.rejects(
        copyImage(client, {
          source: parseImageReference(`${source.host}/${repo}:v1`),
          target: { registry: target.host, repository: `prod/unreadable${status}` },
          tags: ['v1'],
          overwrite: 'never',
          copyReferrers: false,
          dryRun: false,
          concurrency: 1,
        }),
        (err: unknown) => {
          assert.ok(err instanceof RegistryError, `a RegistryError, got ${String(err)}`);
          assert.equal(err.details.status, status);
          assert.equal(err.details.registry, source.host, 'the source registry, not the target');
          assert.match(err.message, new RegExp(`answered HTTP ${status}`));
          assert.ok(err.message.includes(`${source.host}/${repo}`), err.message);
          assert.doesNotMatch(err.message, /could not reach|retries/);
          return true;
        },
      );
      client.close();
      const reads = (await source.requests()).filter((r) => r.path === `/v2/${repo}/blobs/${layer}`);
      assert.deepEqual(
        reads.map((r) => r.status),
        [status],
        'read once: a refused read is not retried',
      );
      assert.deepEqual(await listTags(target, `prod/unreadable${status}`), []);
    });
  }
});
