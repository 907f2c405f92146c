// Fault injection into whole PinImageDigests@1 runs: the files name the registry by its fault
// proxy's loopback address, as a user's files name a registry. Every run must pin every file and
// write the right lock file, or fail cleanly naming the registry with every file as it was and no
// lock file; no file may be left half written.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { readLockFile } from '../../tasks/common/lockfile/readImageLock';
import { startFaultProxy, type FaultProxy } from '../emulators/faultProxy';
import { startRegistry, type RegistryFixture } from '../emulators/registry';
import type { PushedImage } from '../emulators/registry/images';
import {
  createWorkspace,
  expectedText,
  pushFixtureImages,
  runPinTask,
  taskFixtureFiles,
} from '../tasks/PinImageDigests/pinWorkspace';
import { disposeTaskRuns } from '../support/taskRunner';
import { addFaults, judge, scenarioTally, scheduleCount, scheduleSeed } from './faultRuns';
import { partialFiles, readTree } from './workspaceFiles';

const SCENARIO = 'PinImageDigests';
/** Chance per request: a run makes one request per unique image, so a higher rate. */
const RATE = 0.3;
const LOCK = 'out/image-lock.json';

describe('fault injection: PinImageDigests@1 through seeded registry faults', function () {
  this.timeout(180_000);
  let reg: RegistryFixture;
  let proxy: FaultProxy;
  let images: Map<string, PushedImage>;
  const workspaces: string[] = [];
  const tally = scenarioTally(SCENARIO);

  before(async () => {
    reg = await startRegistry();
    proxy = await startFaultProxy({ upstreamPort: Number(reg.host.split(':')[1]) });
    images = await pushFixtureImages(reg);
  });
  after(async () => {
    tally.report();
    workspaces.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    disposeTaskRuns();
    await proxy?.close();
    await reg?.stop();
  });

  for (let i = 0; i < scheduleCount(); i++) {
    const seed = scheduleSeed(SCENARIO, i);
    it(`schedule ${i} (seed ${seed})`, async () => {
      const host = `127.0.0.1:${proxy.port}`;
      const ws = createWorkspace(host);
      workspaces.push(ws);
      const original = readTree(ws);
      const digestOf = (name: string) => {
        const image = images.get(name);
        if (!image) throw new Error(`no fixture image ${name}`);
        return image.digest;
      };
      const pinned = new Map(taskFixtureFiles().map((rel) => [rel, expectedText(rel, host, digestOf)]));

      proxy.resetCounts();
      proxy.schedule({ seed, rate: RATE });
      tally.schedules++;
      const run = await runPinTask(ws, {}).finally(() => {
        proxy.schedule(undefined);
        addFaults(tally.faults, proxy.counts());
      });

      const now = readTree(ws);
      const lockText = now.get(LOCK);
      now.delete(LOCK);
      const odd = partialFiles(now, original, pinned);
      tally.partialFiles += odd.length;
      assert.deepEqual(odd, [], 'every file is its original or fully pinned, and nothing else was left');

      await judge(run, tally, host, () => {
        assert.deepEqual(now, pinned, 'every file pinned');
        assert.ok(lockText !== undefined, 'the lock file was written');
        const lock = readLockFile(path.join(ws, LOCK));
        assert.deepEqual(
          lock.images.map((image) => [image.reference, image.digest]),
          [...images.keys()].sort().map((name) => [`${host}/${name}`, digestOf(name)]),
        );
      });
      if (run.agentResult === 'Failed') {
        assert.deepEqual(now, original, 'a failed run changes no file');
        assert.equal(lockText, undefined, 'a failed run writes no lock file');
      }
    });
  }
});
