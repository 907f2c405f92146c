// The runner runs a task on the Node binary asked for (an agent's Node 20 or Node 24) with the
// handler an agent picks for it, and rejects a run that printed a Node deprecation warning.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  DeprecationWarningError,
  deprecationWarnings,
  disposeTaskRuns,
  runTask,
} from '../support/taskRunner';
import { toolPath } from '../support/tools';
import { shippedTaskDir } from '../../runner/vsix';

const probe = { testOnly: 'ProtocolProbeV1' } as const;

describe('task runner: Node runtime per run', function () {
  this.timeout(60_000);
  let preloadDir: string;
  before(() => (preloadDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-deprecation-'))));
  after(() => {
    disposeTaskRuns();
    fs.rmSync(preloadDir, { recursive: true, force: true });
  });

  it('runs the task on the Node binary given, recording which', async () => {
    const node24 = toolPath('NODE24_BIN');
    const preload = path.join(preloadDir, 'version.js');
    fs.writeFileSync(preload, "console.log('running on node ' + process.version);\n");
    const run = await runTask({ task: probe, node: node24, env: { NODE_OPTIONS: `--require ${preload}` } });
    assert.equal(run.exitCode, 0, run.message);
    assert.equal(run.node, node24);
    assert.match(run.stdout, /^running on node v24\./m);
  });

  it("keeps Node 24's compile cache in the task's own folder, not in the agent's shared tools folder", async () => {
    const taskDir = shippedTaskDir('PromoteImageV1');
    const cache = path.join(taskDir, '.node-compile-cache');
    fs.rmSync(cache, { recursive: true, force: true });
    const run = await runTask({ task: { shipped: 'PromoteImageV1' }, node: toolPath('NODE24_BIN') });
    assert.equal(run.agentResult, 'Failed', 'no inputs: the task fails after it started');
    assert.ok(fs.readdirSync(cache).length > 0, `no compile cache in ${cache}`);
    assert.deepEqual(fs.readdirSync(run.dirs.tools), [], 'the shared tools folder was written');
  });

  it('rejects a run whose output carries a deprecation warning, quoting it', async () => {
    // What a dependency calling a deprecated API does: Node prints the warning on stderr.
    const preload = path.join(preloadDir, 'deprecated.js');
    fs.writeFileSync(preload, "process.emitWarning('old API', 'DeprecationWarning', 'DEP0999');\n");
    await assert.rejects(
      runTask({ task: probe, env: { NODE_OPTIONS: `--require ${preload}` } }),
      (err: unknown) => {
        assert.ok(err instanceof DeprecationWarningError, String(err));
        assert.match(err.message, /\[DEP0999\] DeprecationWarning: old API/);
        return true;
      },
    );
  });

  it('finds deprecation warnings among other stderr lines', () => {
    const stderr = [
      'some tool output',
      '(node:123) [DEP0169] DeprecationWarning: `url.parse()` behavior is not standardized',
      '(Use `node --trace-deprecation ...` to show where the warning was created)',
    ].join('\n');
    assert.deepEqual(deprecationWarnings(stderr), [
      '(node:123) [DEP0169] DeprecationWarning: `url.parse()` behavior is not standardized',
    ]);
  });
});
