// Whole PromoteImage runs against a source registry behind a scripted front that answers its tag
// list with an HTML page, or cuts its manifest off: the task fails with the registry, the
// operation and the image in its message, no stack in its output, and nothing tagged in the target.
import assert from 'node:assert/strict';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { getManifest, pushImage } from '../../emulators/registry/images';
import { type HostileFront, startHostileFront } from '../../emulators/hostileAnswers';
import { assertCleanFailure } from '../../support/failureMessages';
import { disposeTaskRuns } from '../../support/taskRunner';
import { promote } from './promoteRun';

describe('PromoteImage@1 against a registry answering what no registry should', function () {
  this.timeout(180_000);
  let reg: RegistryFixture;
  let front: HostileFront;
  before(async () => {
    reg = await startRegistry({ auth: 'anonymous' });
    await pushImage(reg, 'team/app', { format: 'oci', tag: 'v1', layers: [512] });
    front = await startHostileFront({ upstream: `http://${reg.host}` });
  });
  after(async () => {
    disposeTaskRuns();
    await front.close();
    await reg.stop();
  });

  it('a tag list answered with an HTML page: Failed, naming the registry, "list tags" and the repository', async () => {
    front.script({ match: (_m, path) => path.endsWith('/tags/list'), kind: 'html200' });
    const run = await promote({
      inputs: { sourceImage: `${front.host}/team/app:v1`, targetImage: `${reg.host}/prod/app` },
    });
    assertCleanFailure(run, 'html200', [`Registry ${front.host}`, 'list tags', `${front.host}/team/app`]);
    assert.equal(await getManifest(reg, 'prod/app', 'v1'), undefined, 'nothing tagged in the target');
  });

  it('a source manifest cut off mid-body: Failed, naming the registry, "read manifest" and the image', async () => {
    front.script({ match: (m, path) => m === 'GET' && path.includes('/manifests/'), kind: 'truncated' });
    const run = await promote({
      inputs: {
        sourceImage: `${front.host}/team/app:v1`,
        targetImage: `${reg.host}/prod/cut`,
        copyReferrers: 'false',
      },
    });
    assertCleanFailure(run, 'truncated', [
      `Registry ${front.host}`,
      'read manifest v1',
      `${front.host}/team/app`,
    ]);
    assert.equal(await getManifest(reg, 'prod/cut', 'v1'), undefined, 'nothing tagged in the target');
  });
});
