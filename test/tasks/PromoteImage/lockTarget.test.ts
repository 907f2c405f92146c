// PromoteImage@1 lockTarget: Azure Container Registry locks through its data-plane API, against
// the real registry behind the ACR front emulator (reached as any registry connection is), and
// the message a registry without that API gets.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'mocha';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { getManifest, pushImage } from '../../emulators/registry/images';
import { requestToken } from '../../emulators/registry/tokenClient';
import { writes } from '../../support/registryTestClient';
import { disposeTaskRuns } from '../../support/taskRunner';
import { failureOf, output, promote, registryConnection, succeeded, type PromoteRun } from './promoteRun';

describe('PromoteImage@1 lockTarget (ACR locks)', function () {
  this.timeout(180_000);
  let acr: RegistryFixture;
  let plain: RegistryFixture;
  const releaser = {
    username: 'releaser',
    password: randomUUID(),
    access: { '*': ['pull' as const, 'push' as const, 'metadata_read' as const, 'metadata_write' as const] },
  };
  const reader = {
    username: 'reader',
    password: randomUUID(),
    access: { '*': ['pull' as const, 'push' as const, 'metadata_read' as const] },
  };
  const pusher = {
    username: 'pusher',
    password: randomUUID(),
    access: { '*': ['pull' as const, 'push' as const] },
  };

  before(async () => {
    [acr, plain] = await Promise.all([
      startRegistry({ auth: 'token', acr: true, users: [releaser, reader, pusher] }),
      startRegistry({ auth: 'token', users: [releaser] }),
    ]);
  });
  beforeEach(() => acr.resetRequests());
  after(async () => {
    disposeTaskRuns();
    await Promise.all([acr?.stop(), plain?.stop()]);
  });

  /** What ACR's API says of a tag or manifest, read with an admin token (not the task's). */
  async function attributes(repository: string, kind: '_tags' | '_manifests', ref: string) {
    const { token } = await requestToken(acr, acr.admin, [`repository:${repository}:metadata_read`]);
    const res = await fetch(`http://${acr.host}/acr/v1/${repository}/${kind}/${ref}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(res.status, 200);
    const body = (await res.json()) as Record<string, { changeableAttributes: Record<string, boolean> }>;
    return (body['tag'] ?? body['manifest'])?.changeableAttributes;
  }

  const lockRun = (
    reg: RegistryFixture,
    user: typeof releaser,
    inputs: Record<string, string>,
  ): PromoteRun => ({
    inputs: { lockTarget: 'true', ...inputs },
    sourceConnection: registryConnection(reg, user),
    targetConnection: registryConnection(reg, user),
  });

  it('locks the promoted tag and manifest with the run token, and refuses a second promotion before copying', async () => {
    const image = await pushImage(acr, 'team/app', { format: 'oci', tag: '1.0.0' });
    acr.resetRequests();
    const run = succeeded(
      await promote(
        lockRun(acr, releaser, {
          sourceImage: `${acr.host}/team/app:1.0.0`,
          targetImage: `${acr.host}/prod/app`,
        }),
      ),
    );
    assert.deepEqual(JSON.parse(output(run, 'lockedTags')), [`${acr.host}/prod/app:1.0.0`]);
    assert.match(run.stdout, /Locked .*prod\/app:1\.0\.0 and manifest sha256:/);
    const lockApi = acr.acr?.requests().filter((r) => r.status !== 401) ?? [];
    assert.deepEqual(
      lockApi.map((r) => r.method),
      ['GET', 'PATCH', 'PATCH'],
      'one read before the copy, one lock per tag and one for the manifest',
    );
    const grants = acr.tokenServer
      ?.requests()
      .filter((r) => r.status === 200 && r.user === releaser.username);
    assert.equal(grants?.length, 1, 'one token covered the copy and the locks');
    assert.deepEqual(await attributes('prod/app', '_tags', '1.0.0'), {
      deleteEnabled: false,
      writeEnabled: false,
      readEnabled: true,
      listEnabled: true,
    });
    assert.equal((await attributes('prod/app', '_manifests', image.digest))?.writeEnabled, false);

    // A second promotion of another image to the locked tag, overwrite or not: refused, nothing written.
    await pushImage(acr, 'team/app', { format: 'oci', tag: '2.0.0' });
    acr.resetRequests();
    const second = await promote(
      lockRun(acr, releaser, {
        sourceImage: `${acr.host}/team/app:2.0.0`,
        targetImage: `${acr.host}/prod/app:1.0.0`,
        overwrite: 'always',
      }),
    );
    const message = failureOf(second);
    assert.match(message, /prod\/app:1\.0\.0 is locked on Azure Container Registry/);
    assert.match(message, /Nothing was copied/);
    assert.match(
      message,
      /az acr repository update --name \S+ --image prod\/app:1\.0\.0 --write-enabled true/,
    );
    assert.deepEqual(writes(await acr.requests()), [], 'no blob or manifest was written');
    assert.equal((await getManifest(acr, 'prod/app', '1.0.0'))?.digest, image.digest);

    // The same image again: the locked tag already holds it, so the promotion succeeds unchanged.
    succeeded(
      await promote(
        lockRun(acr, releaser, {
          sourceImage: `${acr.host}/team/app:1.0.0`,
          targetImage: `${acr.host}/prod/app`,
        }),
      ),
    );
  });

  it('several images: locks every tag of each and its manifest, and the summary names the locks', async () => {
    const images = await Promise.all(
      ['a', 'b'].map((x) => pushImage(acr, `team/multi-${x}`, { format: 'oci', layers: [64], tag: '1' })),
    );
    const grants = () =>
      acr.tokenServer?.requests().filter((r) => r.status === 200 && r.user === releaser.username).length ?? 0;
    const grantsBefore = grants();
    const run = succeeded(
      await promote(
        lockRun(acr, releaser, {
          sourceImage: ['a', 'b'].map((x) => `${acr.host}/team/multi-${x}:1`).join('\n'),
          targetImage: ['a', 'b'].map((x) => `${acr.host}/prod/multi-${x}`).join('\n'),
          additionalTags: 'stable',
        }),
      ),
    );
    // The pre-check pass reads before the locks are read: one token must still cover them all.
    assert.equal(grants() - grantsBefore, 1, 'one token covered the pre-check, the copies and the locks');
    const tags = ['a', 'b'].flatMap((x) => ['1', 'stable'].map((t) => `${acr.host}/prod/multi-${x}:${t}`));
    assert.deepEqual(JSON.parse(output(run, 'lockedTags')), tags);
    for (const [i, x] of ['a', 'b'].entries()) {
      for (const tag of ['1', 'stable'])
        assert.equal((await attributes(`prod/multi-${x}`, '_tags', tag))?.writeEnabled, false, `${x}:${tag}`);
      assert.equal(
        (await attributes(`prod/multi-${x}`, '_manifests', images[i]!.digest))?.writeEnabled,
        false,
      );
    }
    const summary = run.summaries.map((x) => x.content).join('\n');
    assert.match(summary, /#### Target locks/);
    const lockLine = summary.split('\n').find((l) => l.startsWith('Locked, tag and manifest')) ?? '';
    assert.match(lockLine, /\(writeEnabled false, deleteEnabled false\)/);
    for (const tag of tags) assert.ok(lockLine.includes(`\`${tag}\``), `${tag} in: ${lockLine}`);
  });

  it('several images, one target tag locked: refuses them all before anything is copied', async () => {
    const locked = await pushImage(acr, 'team/fleet-c', { format: 'oci', tag: '1' });
    succeeded(
      await promote(
        lockRun(acr, releaser, {
          sourceImage: `${acr.host}/team/fleet-c:1`,
          targetImage: `${acr.host}/prod/fleet-c`,
        }),
      ),
    );
    await pushImage(acr, 'team/fleet-c', { format: 'oci', layers: [96], tag: '2' });
    await pushImage(acr, 'team/fleet-d', { format: 'oci', tag: '1' });
    acr.resetRequests();
    const run = await promote(
      lockRun(acr, releaser, {
        sourceImage: `${acr.host}/team/fleet-d:1\n${acr.host}/team/fleet-c:2`,
        targetImage: `${acr.host}/prod/fleet-d:1\n${acr.host}/prod/fleet-c:1`,
        overwrite: 'always',
      }),
    );
    const message = failureOf(run);
    assert.match(message, /prod\/fleet-c:1 is locked on Azure Container Registry/);
    assert.match(message, /Nothing was copied/);
    assert.deepEqual(writes(await acr.requests()), [], 'no blob or manifest was written, for either image');
    assert.equal(await getManifest(acr, 'prod/fleet-d', '1'), undefined);
    assert.equal((await getManifest(acr, 'prod/fleet-c', '1'))?.digest, locked.digest);
  });

  it("without lockTarget, a push to a locked tag fails with ACR's refusal explained", async () => {
    await pushImage(acr, 'team/svc', { format: 'oci', tag: '1' });
    const other = await pushImage(acr, 'team/svc', { format: 'oci', tag: '2' });
    succeeded(
      await promote(
        lockRun(acr, releaser, {
          sourceImage: `${acr.host}/team/svc:1`,
          targetImage: `${acr.host}/prod/svc`,
        }),
      ),
    );
    const run = await promote({
      ...lockRun(acr, releaser, {
        sourceImage: `${acr.host}/team/svc:2`,
        targetImage: `${acr.host}/prod/svc:1`,
        overwrite: 'always',
      }),
      inputs: {
        sourceImage: `${acr.host}/team/svc:2`,
        targetImage: `${acr.host}/prod/svc:1`,
        overwrite: 'always',
      },
    });
    const message = failureOf(run);
    assert.match(message, /REGISTRY_DISALLOWED_OPERATION/);
    assert.match(message, /locked tag, manifest or repository/);
    assert.notEqual((await getManifest(acr, 'prod/svc', '1'))?.digest, other.digest);
  });

  it('dry run: says what it would lock and locks nothing', async () => {
    await pushImage(acr, 'team/dry', { format: 'oci', tag: '1' });
    await pushImage(acr, 'prod/dry', { format: 'oci', tag: '1' });
    const run = succeeded(
      await promote(
        lockRun(acr, releaser, {
          sourceImage: `${acr.host}/team/dry:1`,
          targetImage: `${acr.host}/prod/dry:1`,
          overwrite: 'always',
          dryRun: 'true',
        }),
      ),
    );
    assert.match(
      run.stdout,
      /Would lock .*prod\/dry:1 and manifest sha256:[0-9a-f]{64} \(writeEnabled false, deleteEnabled false\)/,
    );
    assert.deepEqual(JSON.parse(output(run, 'lockedTags')), []);
    assert.equal((await attributes('prod/dry', '_tags', '1'))?.writeEnabled, true);
    assert.ok(!acr.acr?.requests().some((r) => r.method === 'PATCH'));
  });

  it('without the rights to read locks, fails before copying, naming the permission', async () => {
    await pushImage(acr, 'team/nolock', { format: 'oci', tag: '1' });
    acr.resetRequests();
    const run = await promote(
      lockRun(acr, pusher, {
        sourceImage: `${acr.host}/team/nolock:1`,
        targetImage: `${acr.host}/prod/nolock`,
      }),
    );
    const message = failureOf(run);
    assert.match(message, /the locks of .*prod\/nolock:1 could not be read, so nothing was copied/);
    assert.match(message, /metadata_read,metadata_write/);
    assert.match(message, /Container Registry Repository Writer/);
    assert.deepEqual(writes(await acr.requests()), []);
  });

  it('with read but not write rights on locks, fails after promoting, saying the image is not locked', async () => {
    const image = await pushImage(acr, 'team/readonly', { format: 'oci', tag: '1' });
    const run = await promote(
      lockRun(acr, reader, {
        sourceImage: `${acr.host}/team/readonly:1`,
        targetImage: `${acr.host}/prod/readonly`,
      }),
    );
    const message = failureOf(run);
    assert.match(message, /prod\/readonly:1 was promoted \(sha256:[0-9a-f]{64}\) but is not locked/);
    assert.match(message, /lack metadata_write rights/);
    assert.equal((await getManifest(acr, 'prod/readonly', '1'))?.digest, image.digest);
  });

  it('warns that a registry without the ACR lock API cannot lock, and promotes', async () => {
    const image = await pushImage(plain, 'team/app', { format: 'oci', tag: '1' });
    const run = succeeded(
      await promote(
        lockRun(plain, releaser, {
          sourceImage: `${plain.host}/team/app:1`,
          targetImage: `${plain.host}/prod/app`,
        }),
      ),
    );
    // (The promotion record warns apart that the run's approvals are unknown: no job token here.)
    const warnings = run.issues
      .filter((i) => i.type === 'warning' && i.message.includes('lockTarget'))
      .map((i) => i.message);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(
      warnings[0] ?? '',
      /lockTarget: .* is not an Azure Container Registry .*HTTP 404.*locking is not supported there/,
    );
    assert.deepEqual(JSON.parse(output(run, 'lockedTags')), []);
    assert.match(
      run.summaries[0]?.content ?? '',
      new RegExp(`Not locked \\(the registry has no ACR lock API\\): \`${plain.host}/prod/app:1\``),
    );
    assert.equal((await getManifest(plain, 'prod/app', '1'))?.digest, image.digest);
  });
});
