// A whole PinImageDigests run whose registry answers a manifest larger than the client accepts:
// the task fails naming the registry, the operation and the image, prints no stack, and leaves
// the file as it was.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type HostileFront, startHostileFront } from '../../emulators/hostileAnswers';
import { assertCleanFailure } from '../../support/failureMessages';
import { disposeTaskRuns, runTask } from '../../support/taskRunner';

describe('PinImageDigests@1 against a registry answering an oversized manifest', function () {
  this.timeout(120_000);
  let front: HostileFront;
  let workspace: string;
  before(async () => {
    front = await startHostileFront();
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'pin-hostile-'));
  });
  after(async () => {
    disposeTaskRuns();
    await front.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('fails naming the file and line, the registry, "read manifest" and the image; the file is unchanged', async () => {
    front.script({
      match: (_m, p) => p.includes('/manifests/'),
      kind: 'oversized',
      options: { oversizeBytes: 40 * 1024 * 1024 },
    });
    const file = path.join(workspace, 'deploy.yaml');
    const text = `apiVersion: v1\nkind: Pod\nmetadata:\n  name: app\nspec:\n  containers:\n    - name: app\n      image: ${front.host}/team/app:v1\n`;
    fs.writeFileSync(file, text);
    const run = await runTask({
      task: { shipped: 'PinImageDigestsV1' },
      inputs: { files: 'deploy.yaml', workingDirectory: workspace, lockFile: '' },
      debug: true,
      timeoutMs: 90_000,
    });
    assertCleanFailure(run, 'oversized', [
      'deploy.yaml:8',
      `Registry ${front.host}`,
      'read manifest v1',
      `${front.host}/team/app`,
    ]);
    assert.equal(fs.readFileSync(file, 'utf8'), text);
  });
});
