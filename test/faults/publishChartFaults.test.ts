// Fault injection into whole PublishHelmChart@1 runs (real Helm 3 and Helm 4, alternating): the
// registry input names the fault proxy's loopback address, as a user names a registry. Every run
// must publish the chart with the digest it reports, or fail cleanly naming the registry; no run
// may leave the version's tag over incomplete content.
import assert from 'node:assert/strict';
import { startFaultProxy, type FaultProxy } from '../emulators/faultProxy';
import { startRegistry, type RegistryFixture, type RegistryUser } from '../emulators/registry';
import { getManifest } from '../emulators/registry/images';
import { HELMS, copyChart, removeTempDirs } from '../support/helmUnderTest';
import { disposeTaskRuns, runTask } from '../support/taskRunner';
import { toolPath } from '../support/tools';
import { addFaults, judge, scenarioTally, scheduleCount, scheduleSeed } from './faultRuns';
import { brokenTags } from './registryWalk';

const SCENARIO = 'PublishHelmChart';
/** Chance per request: Helm retries nothing itself, so a lower rate leaves some runs whole. */
const RATE = 0.08;
const CONNECTION = '0fa17ed0-3b2a-4190-8f7e-6d5c4b3a2f10';

describe('fault injection: PublishHelmChart@1 through seeded registry faults', function () {
  this.timeout(180_000);
  const pusher: RegistryUser = {
    username: 'chart-pusher',
    password: 'pusher-Secret,faults=1',
    access: { 'charts/*': ['pull', 'push'] },
  };
  let reg: RegistryFixture;
  let proxy: FaultProxy;
  const tally = scenarioTally(SCENARIO);

  before(async () => {
    reg = await startRegistry({ auth: 'basic', users: [pusher] });
    proxy = await startFaultProxy({ upstreamPort: Number(reg.host.split(':')[1]) });
  });
  after(async () => {
    tally.report();
    disposeTaskRuns();
    removeTempDirs();
    await proxy?.close();
    await reg?.stop();
  });

  for (let i = 0; i < scheduleCount(); i++) {
    const seed = scheduleSeed(SCENARIO, i);
    const helm = HELMS[i % HELMS.length]!;
    it(`schedule ${i} (seed ${seed}, ${helm.name})`, async () => {
      const host = `127.0.0.1:${proxy.port}`;
      const repoPath = `charts/s${i}`;
      proxy.resetCounts();
      proxy.schedule({ seed, rate: RATE });
      tally.schedules++;
      const run = await runTask({
        task: { shipped: 'PublishHelmChartV1' },
        inputs: {
          chartPath: copyChart('workloads'),
          version: '1.0.2',
          registry: `oci://${host}/${repoPath}`,
          registryConnection: CONNECTION,
          helmPath: toolPath(helm.tool),
        },
        endpoints: {
          [CONNECTION]: {
            url: `http://${host}`,
            scheme: 'UsernamePassword',
            parameters: { registry: `http://${host}`, username: pusher.username, password: pusher.password },
            data: { registrytype: 'Others' },
          },
        },
        debug: true,
        timeoutMs: 150_000,
      }).finally(() => {
        proxy.schedule(undefined);
        addFaults(tally.faults, proxy.counts());
      });

      const broken = await brokenTags(reg, `${repoPath}/workloads`);
      tally.brokenTags += broken.length;
      assert.deepEqual(broken, [], 'no chart tag over incomplete content');

      await judge(run, tally, host, async () => {
        const stored = await getManifest(reg, `${repoPath}/workloads`, '1.0.2');
        assert.ok(stored, 'the chart is in the registry');
        assert.equal(run.variables['chartDigest']?.value, stored.digest);
        assert.equal(run.variables['chartReference']?.value, `oci://${host}/${repoPath}/workloads:1.0.2`);
      });
    });
  }
});
