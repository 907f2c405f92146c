// PromoteImage@1 end to end: the packaged task, run as the agent runs it, against the real
// CNCF distribution registry.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'mocha';
import { buildImageLock, serializeImageLock } from '../../../tasks/common/lockfile/imageLock';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { getManifest, listTags, pushImage, pushReferrer } from '../../emulators/registry/images';
import { disposeTaskRuns } from '../../support/taskRunner';
import { failureOf, output, promote, registryConnection, succeeded } from './promoteRun';

describe('PromoteImage@1 (anonymous registries)', function () {
  this.timeout(180_000);
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

  it('promotes within one registry by mounting every blob: same digest, no layer bytes uploaded', async () => {
    const layers = [2048, 4096, 8192];
    const image = await pushImage(nonprod, 'delivery', { format: 'oci', layers, tag: 'v1.0.2' });
    nonprod.resetRequests();
    const run = succeeded(
      await promote({
        inputs: {
          sourceImage: `${nonprod.host}/delivery:v1.0.2`,
          targetImage: `${nonprod.host}/prod/delivery`,
          copyReferrers: 'false',
          // The copy's request budget; the record's cost is measured in promotionRecord.test.ts.
          recordPromotion: 'false',
        },
      }),
    );
    assert.equal(output(run, 'digest'), image.digest);
    assert.equal(output(run, 'imageReference'), `${nonprod.host}/prod/delivery:v1.0.2@${image.digest}`);
    assert.equal(output(run, 'blobsMounted'), String(image.blobs.length));
    assert.equal(output(run, 'bytesCopied'), '0');
    const requests = (await nonprod.requests()).filter(
      (r) => r.path.startsWith('/v2/delivery') || r.path.startsWith('/v2/prod/'),
    );
    const listed = requests.map((r) => `${r.method} ${r.path}?${r.query} ${r.status}`).join('\n');
    assert.ok(
      !requests.some((r) => r.method === 'PUT' && r.path.includes('/blobs/uploads/')),
      `a blob was uploaded:\n${listed}`,
    );
    // The budget: L+4 for L layers (the config blob's mount is one of the 4).
    assert.ok(
      requests.length <= layers.length + 4,
      `${requests.length} requests for ${layers.length} layers:\n${listed}`,
    );
    assert.equal((await getManifest(nonprod, 'prod/delivery', 'v1.0.2'))?.digest, image.digest);
    assert.ok(run.summaries[0]?.content.includes(image.digest), 'the build summary names the digest');
  });

  it('promotes a multi-arch Docker manifest list across registries with every child and blob', async () => {
    const image = await pushImage(nonprod, 'cart', {
      format: 'docker',
      platforms: ['linux/amd64', 'linux/arm64'],
      tag: '2.1.0',
    });
    const run = succeeded(
      await promote({
        inputs: {
          sourceImage: `${nonprod.host}/cart:2.1.0`,
          targetImage: `${prod.host}/prod/cart:2.1.0`,
          additionalTags: 'stable\n2.1',
        },
      }),
    );
    assert.equal(output(run, 'digest'), image.digest);
    assert.equal(output(run, 'blobsCopied'), String(image.blobs.length));
    assert.equal(
      Number(output(run, 'bytesCopied')),
      image.blobs.reduce((n, b) => n + b.size, 0),
    );
    for (const tag of ['2.1.0', 'stable', '2.1']) {
      assert.equal((await getManifest(prod, 'prod/cart', tag))?.digest, image.digest, tag);
    }
    for (const child of image.children) {
      assert.equal((await getManifest(prod, 'prod/cart', child.digest))?.digest, child.digest);
    }
  });

  it('brings signatures and SBOMs along (tag fallback and cosign tags)', async () => {
    const image = await pushImage(nonprod, 'signed', { format: 'oci', tag: '1.0.0' });
    const sbom = await pushReferrer(nonprod, 'signed', image.digest, 'fallback-index');
    await pushReferrer(nonprod, 'signed', image.digest, 'cosign-sig');
    succeeded(
      await promote({
        inputs: { sourceImage: `${nonprod.host}/signed:1.0.0`, targetImage: `${prod.host}/prod/signed` },
      }),
    );
    const tags = await listTags(prod, 'prod/signed');
    const hex = image.digest.slice('sha256:'.length);
    assert.ok(tags.includes(`sha256-${hex}`), `fallback index tag in ${tags.join(',')}`);
    assert.ok(tags.includes(`sha256-${hex}.sig`), `cosign signature tag in ${tags.join(',')}`);
    assert.equal((await getManifest(prod, 'prod/signed', sbom.digest))?.digest, sbom.digest);
  });

  it('is a no-op on a re-run: no manifest or blob written, tags reported unchanged', async () => {
    await pushImage(nonprod, 'again', { format: 'oci', tag: '3.0.0' });
    // The copy's idempotence: a re-run is a promotion of its own and records itself unless told not to.
    const inputs = {
      sourceImage: `${nonprod.host}/again:3.0.0`,
      targetImage: `${prod.host}/again:3.0.0`,
      recordPromotion: 'false',
    };
    succeeded(await promote({ inputs }));
    prod.resetRequests();
    const rerun = succeeded(await promote({ inputs }));
    assert.equal(output(rerun, 'blobsCopied'), '0');
    const writes = (await prod.requests()).filter(
      (r) => r.method === 'PUT' || r.method === 'POST' || r.method === 'PATCH',
    );
    assert.deepEqual(writes, [], 'the re-run wrote nothing');
  });

  it('refuses to move a tag that points to another digest, and changes nothing', async () => {
    const wanted = await pushImage(nonprod, 'guarded', { format: 'oci', tag: '1.0.0' });
    const other = await pushImage(prod, 'guarded', { format: 'oci', tag: '1.0.0' });
    const run = await promote({
      inputs: { sourceImage: `${nonprod.host}/guarded:1.0.0`, targetImage: `${prod.host}/guarded:1.0.0` },
    });
    const message = failureOf(run);
    assert.match(message, /1\.0\.0/);
    assert.ok(message.includes(other.digest) && message.includes(wanted.digest), message);
    assert.equal((await getManifest(prod, 'guarded', '1.0.0'))?.digest, other.digest);
    assert.equal(await getManifest(prod, 'guarded', wanted.digest), undefined, 'nothing was copied');
  });

  it('moves the tag with overwrite: always', async () => {
    const wanted = await pushImage(nonprod, 'forced', { format: 'oci', tag: '1.0.0' });
    await pushImage(prod, 'forced', { format: 'oci', tag: '1.0.0' });
    succeeded(
      await promote({
        inputs: {
          sourceImage: `${nonprod.host}/forced:1.0.0`,
          targetImage: `${prod.host}/forced:1.0.0`,
          overwrite: 'always',
        },
      }),
    );
    assert.equal((await getManifest(prod, 'forced', '1.0.0'))?.digest, wanted.digest);
  });

  it('fails before copying anything when the source is not the expected digest', async () => {
    await pushImage(nonprod, 'moved', { format: 'oci', tag: '1.0.0' });
    const tested = await pushImage(nonprod, 'moved-tested', { format: 'oci' });
    const run = await promote({
      inputs: {
        sourceImage: `${nonprod.host}/moved:1.0.0`,
        targetImage: `${prod.host}/moved:1.0.0`,
        expectedDigest: tested.digest,
      },
    });
    assert.ok(failureOf(run).includes(tested.digest));
    assert.deepEqual(await listTags(prod, 'moved'), []);
  });

  it('reports a dry run and changes nothing', async () => {
    const image = await pushImage(nonprod, 'dry', { format: 'oci', tag: '1.0.0' });
    prod.resetRequests();
    const run = succeeded(
      await promote({
        inputs: {
          sourceImage: `${nonprod.host}/dry:1.0.0`,
          targetImage: `${prod.host}/dry:1.0.0`,
          dryRun: 'true',
        },
      }),
    );
    assert.equal(output(run, 'digest'), image.digest);
    assert.match(run.summaries[0]?.content ?? '', /dry run/i);
    const writes = (await prod.requests()).filter((r) => r.method !== 'GET' && r.method !== 'HEAD');
    assert.deepEqual(writes, []);
  });

  it('promotes several images in one step, paired line by line', async () => {
    const images = await Promise.all(
      ['api', 'worker', 'migrations'].map((name) =>
        pushImage(nonprod, `multi/${name}`, { format: 'oci', tag: '4.0.0' }),
      ),
    );
    const run = succeeded(
      await promote({
        inputs: {
          sourceImage: ['api', 'worker', 'migrations']
            .map((n) => `${nonprod.host}/multi/${n}:4.0.0`)
            .join('\n'),
          targetImage: ['api', 'worker', 'migrations'].map((n) => `${prod.host}/prod/${n}`).join('\n'),
        },
      }),
    );
    const references = JSON.parse(output(run, 'imageReferences')) as string[];
    assert.deepEqual(
      references,
      ['api', 'worker', 'migrations'].map((n, i) => `${prod.host}/prod/${n}:4.0.0@${images[i]?.digest}`),
    );
    for (const [i, name] of ['api', 'worker', 'migrations'].entries()) {
      assert.equal((await getManifest(prod, `prod/${name}`, '4.0.0'))?.digest, images[i]?.digest);
    }
  });

  it('writes none of several images when one of them fails its checks', async () => {
    await pushImage(nonprod, 'batch/a', { format: 'oci', tag: '1.0.0' });
    await pushImage(nonprod, 'batch/b', { format: 'oci', tag: '1.0.0' });
    const occupied = await pushImage(prod, 'batch/b', { format: 'oci', tag: '1.0.0' });
    const run = await promote({
      inputs: {
        sourceImage: `${nonprod.host}/batch/a:1.0.0\n${nonprod.host}/batch/b:1.0.0`,
        targetImage: `${prod.host}/batch/a\n${prod.host}/batch/b`,
      },
    });
    assert.ok(failureOf(run).includes(occupied.digest));
    assert.deepEqual(
      await listTags(prod, 'batch/a'),
      [],
      'the image that passed its checks was not written either',
    );
  });

  it('names the input and the rule for an invalid reference', async () => {
    const run = await promote({
      inputs: { sourceImage: `${nonprod.host}/Bad_Name:1`, targetImage: `${prod.host}/x:1` },
    });
    assert.match(failureOf(run), /sourceImage/);
  });
});

describe('PromoteImage@1 (basic auth through service connections)', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  before(async () => {
    reg = await startRegistry({ auth: 'basic' });
  });
  after(async () => {
    disposeTaskRuns();
    await reg?.stop();
  });

  it('signs in with the target connection and mounts', async () => {
    const image = await pushImage(reg, 'svc', { format: 'oci', tag: '1.0.0' });
    const run = succeeded(
      await promote({
        inputs: { sourceImage: `${reg.host}/svc:1.0.0`, targetImage: `${reg.host}/prod/svc` },
        targetConnection: registryConnection(reg, reg.admin),
      }),
    );
    assert.equal(output(run, 'digest'), image.digest);
    assert.equal(output(run, 'blobsMounted'), String(image.blobs.length));
  });

  it('fails with a message naming the registry and the status for a wrong password', async () => {
    await pushImage(reg, 'denied', { format: 'oci', tag: '1.0.0' });
    const run = await promote({
      inputs: { sourceImage: `${reg.host}/denied:1.0.0`, targetImage: `${reg.host}/prod/denied` },
      targetConnection: registryConnection(reg, {
        username: reg.admin.username,
        password: 'not-the-password-123',
      }),
    });
    const message = failureOf(run);
    assert.ok(message.includes(reg.host), message);
    assert.match(message, /401/);
  });
});

describe('PromoteImage@1 (token auth, Docker config, faults, lock file)', function () {
  this.timeout(120_000);
  let reg: RegistryFixture;
  let faulty: RegistryFixture;
  const releaser = {
    username: 'releaser',
    password: 'r3leaser-Pa55word',
    access: { 'team/*': ['pull' as const], 'prod/*': ['pull' as const, 'push' as const] },
  };
  const pusherOnly = {
    username: 'pusher',
    password: 'pu5her-Pa55word',
    access: { 'prod/*': ['pull' as const, 'push' as const] },
  };

  before(async () => {
    [reg, faulty] = await Promise.all([
      startRegistry({ auth: 'token', users: [releaser, pusherOnly] }),
      startRegistry({ auth: 'anonymous', faults: true }),
    ]);
  });
  after(async () => {
    disposeTaskRuns();
    await Promise.all([reg?.stop(), faulty?.stop()]);
  });

  it('asks one token for push on the target and pull on the source, and mounts', async () => {
    const image = await pushImage(reg, 'team/api', { format: 'oci', tag: '1.0.0' });
    const run = succeeded(
      await promote({
        inputs: { sourceImage: `${reg.host}/team/api:1.0.0`, targetImage: `${reg.host}/prod/api` },
        targetConnection: registryConnection(reg, releaser),
      }),
    );
    assert.equal(output(run, 'blobsMounted'), String(image.blobs.length));
    const grants = reg.tokenServer?.requests().filter((r) => r.user === 'releaser') ?? [];
    assert.ok(
      grants.some(
        (g) =>
          g.scopes.includes('repository:prod/api:push,pull') && g.scopes.includes('repository:team/api:pull'),
      ),
      `token requests: ${JSON.stringify(grants.map((g) => g.scopes))}`,
    );
  });

  it('cannot read a source the connection has no pull on, and says which repository and registry', async () => {
    await pushImage(reg, 'team/secret', { format: 'oci', tag: '1.0.0' });
    const run = await promote({
      inputs: { sourceImage: `${reg.host}/team/secret:1.0.0`, targetImage: `${reg.host}/prod/secret` },
      targetConnection: registryConnection(reg, pusherOnly),
    });
    const message = failureOf(run);
    assert.ok(message.includes('team/secret') && message.includes(reg.host), message);
    assert.deepEqual(await listTags(reg, 'prod/secret'), []);
  });

  it('signs in with the agent Docker config when no connection covers the registry', async () => {
    const image = await pushImage(reg, 'team/web', { format: 'oci', tag: '2.0.0' });
    const dockerConfig = fs.mkdtempSync(path.join(os.tmpdir(), 'docker-config-'));
    const auth = Buffer.from(`${releaser.username}:${releaser.password}`).toString('base64');
    fs.writeFileSync(
      path.join(dockerConfig, 'config.json'),
      JSON.stringify({ auths: { [reg.host]: { auth } } }),
    );
    try {
      const run = succeeded(
        await promote({
          inputs: { sourceImage: `${reg.host}/team/web:2.0.0`, targetImage: `${reg.host}/prod/web` },
          env: { DOCKER_CONFIG: dockerConfig },
          secrets: [releaser.password, auth],
        }),
      );
      assert.equal(output(run, 'digest'), image.digest);
    } finally {
      fs.rmSync(dockerConfig, { recursive: true, force: true });
    }
  });

  it('falls back to a streamed upload when the registry answers 401 to mounts', async () => {
    const image = await pushImage(faulty, 'src', { format: 'oci', tag: '1.0.0' });
    faulty.injectFault?.({
      match: (method, _p, query) => method === 'POST' && query.includes('mount='),
      status: 401,
      times: 100,
    });
    const run = succeeded(
      await promote({
        inputs: { sourceImage: `${faulty.host}/src:1.0.0`, targetImage: `${faulty.host}/dst:1.0.0` },
      }),
    );
    assert.equal(output(run, 'blobsMounted'), '0');
    assert.equal(output(run, 'blobsCopied'), String(image.blobs.length));
    assert.equal((await getManifest(faulty, 'dst', '1.0.0'))?.digest, image.digest);
  });

  it('promotes the digest the lock file pinned, and refuses an image the lock file does not list', async () => {
    const image = await pushImage(faulty, 'locked', { format: 'oci', tag: '1.2.3' });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lock-'));
    const lockFile = path.join(dir, 'image-lock.json');
    fs.writeFileSync(
      lockFile,
      serializeImageLock(
        buildImageLock(
          [
            {
              reference: `${faulty.host}/locked:1.2.3`,
              resolved: `${faulty.host}/locked:1.2.3@${image.digest}`,
              digest: image.digest,
              mediaType: image.mediaType,
              platforms: [],
              occurrences: [{ file: 'deploy/app.yaml', line: 12 }],
            },
          ],
          new Date(),
        ),
      ),
    );
    try {
      const ok = succeeded(
        await promote({
          inputs: {
            sourceImage: `${faulty.host}/locked:1.2.3`,
            targetImage: `${faulty.host}/prod/locked`,
            lockFile,
          },
          variables: { 'Pipeline.Workspace': dir }, // where a downloaded lock file lies
        }),
      );
      assert.equal(output(ok, 'digest'), image.digest);
      await pushImage(faulty, 'unlisted', { format: 'oci', tag: '1.0.0' });
      const refused = await promote({
        inputs: {
          sourceImage: `${faulty.host}/unlisted:1.0.0`,
          targetImage: `${faulty.host}/prod/unlisted`,
          lockFile,
        },
        variables: { 'Pipeline.Workspace': dir },
      });
      assert.match(failureOf(refused), /does not list/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
