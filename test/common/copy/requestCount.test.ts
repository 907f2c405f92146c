// How many registry requests a same-registry promotion with referrers on costs (issue 15): every
// read is listed, so a probe or tag list that comes back shows up here. Counts, not times.
import assert from 'node:assert/strict';
import type { RegistryClient } from '../../../tasks/common/registry/client';
import { copyImage, type CopyReport } from '../../../tasks/common/copy/copy';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { startRegistry, type RegistryFixture, type RegistryRequest } from '../../emulators/registry';
import { getManifest, pushImage, pushReferrer } from '../../emulators/registry/images';
import { blobUploads, stopAll, testClient } from '../../support/registryTestClient';

const LAYERS = [4096, 8192, 2048, 1024, 512];

describe('copy/requestCount: requests of a same-registry promotion with referrers on', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  let client: RegistryClient;
  before(async () => {
    reg = await startRegistry();
  });
  after(() => stopAll([reg]));
  beforeEach(() => {
    client = testClient();
  });
  afterEach(() => client.close());

  const promote = (from: string, to: string): Promise<CopyReport> =>
    copyImage(client, {
      source: parseImageReference(`${reg.host}/${from}:v1`),
      target: { registry: reg.host, repository: to },
      tags: ['v1'],
      overwrite: 'never',
      copyReferrers: true,
      dryRun: false,
    });
  const isMount = (r: RegistryRequest): boolean => r.method === 'POST' && r.query.includes('mount=');
  /** Every request but the mounts, as `METHOD path` with the digests shortened to `<d>`. */
  const others = (requests: readonly RegistryRequest[]): string[] =>
    requests
      .filter((r) => !isMount(r))
      .map((r) => `${r.method} ${r.path.replace(/sha256[:-][0-9a-f]{64}/g, '<d>')}`)
      .sort();

  it('5 layers, no referrers: L+6 requests on first contact, L+5 once the run knows the registry', async () => {
    for (const repo of ['dev/count-a', 'dev/count-b'])
      await pushImage(reg, repo, { format: 'oci', layers: LAYERS, seed: repo, tag: 'v1' });
    reg.resetRequests();
    const first = await promote('dev/count-a', 'prod/count-a');
    const firstRequests = await reg.requests();
    reg.resetRequests();
    const second = await promote('dev/count-b', 'prod/count-b');
    const secondRequests = await reg.requests();

    for (const [report, requests] of [
      [first, firstRequests],
      [second, secondRequests],
    ] as const) {
      assert.equal(report.blobsMounted, LAYERS.length + 1, 'layers and config mounted');
      assert.equal(requests.filter(isMount).length, LAYERS.length + 1);
      assert.deepEqual(blobUploads(requests), [], 'no layer byte');
      assert.equal(report.requests, requests.length, 'the report counts what the registry saw');
    }
    // The referrers API is asked once per registry and run; the tag list tells that no
    // fallback or cosign tag exists, so none is looked up.
    assert.deepEqual(others(firstRequests), [
      'GET /v2/dev/count-a/manifests/v1',
      'GET /v2/dev/count-a/referrers/<d>',
      'GET /v2/dev/count-a/tags/list',
      'HEAD /v2/prod/count-a/manifests/v1',
      'PUT /v2/prod/count-a/manifests/v1',
    ]);
    assert.equal(firstRequests.length, LAYERS.length + 6);
    assert.deepEqual(others(secondRequests), [
      'GET /v2/dev/count-b/manifests/v1',
      'GET /v2/dev/count-b/tags/list',
      'HEAD /v2/prod/count-b/manifests/v1',
      'PUT /v2/prod/count-b/manifests/v1',
    ]);
    assert.equal(secondRequests.length, LAYERS.length + 5);
  });

  it('5 layers with an SBOM (fallback tag) and a cosign signature: each found tag read once, the new target checked with one tag list', async () => {
    const image = await pushImage(reg, 'dev/count-signed', { format: 'oci', layers: LAYERS, tag: 'v1' });
    const sbom = await pushReferrer(reg, 'dev/count-signed', image.digest, 'fallback-index');
    const sig = await pushReferrer(reg, 'dev/count-signed', image.digest, 'cosign-sig');
    reg.resetRequests();
    const report = await promote('dev/count-signed', 'prod/count-signed');
    const requests = await reg.requests();

    assert.equal(report.referrersCopied, 2);
    assert.deepEqual(blobUploads(requests), []);
    assert.equal(requests.filter(isMount).length, LAYERS.length + 1 + sbom.blobs.length + sig.blobs.length);
    assert.deepEqual(others(requests), [
      'GET /v2/dev/count-signed/manifests/<d>', // the SBOM, named by the fallback index
      'GET /v2/dev/count-signed/manifests/<d>', // the fallback index
      'GET /v2/dev/count-signed/manifests/<d>.sig', // the signature, read once by its tag
      'GET /v2/dev/count-signed/manifests/v1',
      'GET /v2/dev/count-signed/referrers/<d>',
      'GET /v2/dev/count-signed/tags/list',
      'GET /v2/prod/count-signed/tags/list', // 404: a new repository has no fallback or cosign tag
      'HEAD /v2/prod/count-signed/manifests/v1',
      'PUT /v2/prod/count-signed/manifests/<d>',
      'PUT /v2/prod/count-signed/manifests/<d>',
      'PUT /v2/prod/count-signed/manifests/<d>',
      'PUT /v2/prod/count-signed/manifests/<d>.sig',
      'PUT /v2/prod/count-signed/manifests/v1',
    ]);
    const fallbackTag = image.digest.replace(':', '-');
    assert.equal((await getManifest(reg, 'prod/count-signed', `${fallbackTag}.sig`))?.digest, sig.digest);
    assert.equal((await getManifest(reg, 'prod/count-signed', sbom.digest))?.digest, sbom.digest);
  });
  it('after a checks-only pass, the copy reads neither the source manifest nor the target tag again', async () => {
    await pushImage(reg, 'dev/count-checked', { format: 'oci', layers: LAYERS, tag: 'v1' });
    const options = {
      source: parseImageReference(`${reg.host}/dev/count-checked:v1`),
      target: { registry: reg.host, repository: 'prod/count-checked' },
      tags: ['v1'],
      overwrite: 'never',
      copyReferrers: true,
      dryRun: false,
    } as const;
    reg.resetRequests();
    const checks = await copyImage(client, { ...options, dryRun: true, checksOnly: true });
    assert.deepEqual(others(await reg.requests()), [
      'GET /v2/dev/count-checked/manifests/v1',
      'HEAD /v2/prod/count-checked/manifests/v1',
    ]);
    assert.ok(checks.checks, 'the checks hand on what they read');
    reg.resetRequests();
    const report = await copyImage(client, { ...options, checked: checks.checks });
    const requests = await reg.requests();
    assert.equal(report.digest, checks.digest);
    assert.deepEqual(report.tagsCreated, ['v1']);
    assert.deepEqual(others(requests), [
      'GET /v2/dev/count-checked/referrers/<d>',
      'GET /v2/dev/count-checked/tags/list',
      'PUT /v2/prod/count-checked/manifests/v1',
    ]);
    assert.equal(requests.length, LAYERS.length + 4);
    assert.equal((await getManifest(reg, 'prod/count-checked', 'v1'))?.digest, checks.digest);
  });
  it('copies started at once ask the registry for its referrers API once', async () => {
    const repos = ['dev/count-at-once-a', 'dev/count-at-once-b', 'dev/count-at-once-c'];
    for (const repo of repos)
      await pushImage(reg, repo, { format: 'oci', layers: [1024], seed: repo, tag: 'v1' });
    reg.resetRequests();
    await Promise.all(repos.map((repo) => promote(repo, repo.replace('dev/', 'prod/'))));
    const probes = (await reg.requests()).filter((r) => r.method === 'GET' && r.path.includes('/referrers/'));
    assert.equal(probes.length, 1, 'one probe: the other copies waited for its answer');
  });
});
