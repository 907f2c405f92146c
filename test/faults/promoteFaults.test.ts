// Fault injection into whole PromoteImage@1 runs: the registries are reached through fault proxies
// (their loopback addresses are what the task is given as image references), each run on its own
// seeded schedule. Every run must succeed with exactly the source's content under the target tag,
// or fail cleanly naming the registry; no run may leave a target tag over incomplete content.
import assert from 'node:assert/strict';
import { startFaultProxy, type FaultProxy } from '../emulators/faultProxy';
import { startRegistry, type RegistryFixture } from '../emulators/registry';
import {
  getManifest,
  listTags,
  pushImage,
  pushReferrer,
  type PushedImage,
} from '../emulators/registry/images';
import { output, promote } from '../tasks/PromoteImage/promoteRun';
import { disposeTaskRuns } from '../support/taskRunner';
import { addFaults, judge, scenarioTally, scheduleCount, scheduleSeed } from './faultRuns';
import { brokenTags } from './registryWalk';

/** Chance per request; a same-registry promotion makes few requests (blobs are mounted). */
const RATE = 0.15;

const portOf = (reg: RegistryFixture): number => Number(reg.host.split(':')[1]);
const hostOf = (proxy: FaultProxy): string => `127.0.0.1:${proxy.port}`;

describe('fault injection: PromoteImage@1 through seeded registry faults', function () {
  this.timeout(180_000);
  let nonprod: RegistryFixture;
  let prod: RegistryFixture;
  let nonprodProxy: FaultProxy;
  let prodProxy: FaultProxy;
  let single: PushedImage;
  let multi: PushedImage;
  let referrers: PushedImage[];

  before(async () => {
    [nonprod, prod] = await Promise.all([startRegistry(), startRegistry()]);
    [nonprodProxy, prodProxy] = await Promise.all([
      startFaultProxy({ upstreamPort: portOf(nonprod) }),
      startFaultProxy({ upstreamPort: portOf(prod) }),
    ]);
    single = await pushImage(nonprod, 'dev/app', {
      format: 'oci',
      layers: [2048, 65_536, 300_000],
      tag: 'v1',
    });
    multi = await pushImage(nonprod, 'dev/multi', {
      format: 'oci',
      platforms: ['linux/amd64', 'linux/arm64'],
      layers: [4096, 100_000],
      tag: 'v2',
    });
    referrers = [
      await pushReferrer(nonprod, 'dev/multi', multi.digest, 'fallback-index'),
      await pushReferrer(nonprod, 'dev/multi', multi.digest, 'cosign-sig'),
    ];
  });
  after(async () => {
    disposeTaskRuns();
    await Promise.all([nonprodProxy?.close(), prodProxy?.close()]);
    await Promise.all([nonprod?.stop(), prod?.stop()]);
  });

  interface Scenario {
    readonly name: string;
    readonly image: () => PushedImage;
    readonly source: () => string;
    /** Target registry (checked directly), its proxy, and the repository for schedule i. */
    readonly target: () => { reg: RegistryFixture; proxy: FaultProxy };
    readonly repository: (i: number) => string;
    readonly tag: string;
    readonly proxies: () => FaultProxy[];
    readonly referrers: boolean;
  }

  const scenarios: Scenario[] = [
    {
      name: 'PromoteImage same registry',
      image: () => single,
      source: () => `${hostOf(nonprodProxy)}/dev/app:v1`,
      target: () => ({ reg: nonprod, proxy: nonprodProxy }),
      repository: (i) => `prod/same-${i}`,
      tag: 'v1',
      proxies: () => [nonprodProxy],
      referrers: false,
    },
    {
      name: 'PromoteImage cross registry',
      image: () => single,
      source: () => `${hostOf(nonprodProxy)}/dev/app:v1`,
      target: () => ({ reg: prod, proxy: prodProxy }),
      repository: (i) => `prod/cross-${i}`,
      tag: 'v1',
      proxies: () => [nonprodProxy, prodProxy],
      referrers: false,
    },
    {
      name: 'PromoteImage multi-arch with referrers',
      image: () => multi,
      source: () => `${hostOf(nonprodProxy)}/dev/multi:v2`,
      target: () => ({ reg: prod, proxy: prodProxy }),
      repository: (i) => `prod/multi-${i}`,
      tag: 'v2',
      proxies: () => [nonprodProxy, prodProxy],
      referrers: true,
    },
  ];

  for (const scenario of scenarios) {
    describe(scenario.name, () => {
      const tally = scenarioTally(scenario.name);
      after(() => tally.report());

      for (let i = 0; i < scheduleCount(); i++) {
        const seed = scheduleSeed(scenario.name, i);
        it(`schedule ${i} (seed ${seed})`, async () => {
          const image = scenario.image();
          const { reg, proxy } = scenario.target();
          const repository = scenario.repository(i);
          const proxies = scenario.proxies();
          proxies.forEach((p, n) => {
            p.resetCounts();
            p.schedule({ seed: seed + n, rate: RATE });
          });
          tally.schedules++;
          const run = await promote({
            inputs: {
              sourceImage: scenario.source(),
              targetImage: `${hostOf(proxy)}/${repository}:${scenario.tag}`,
              // The copy under faults; the target's fallback index is compared with the source's below.
              recordPromotion: 'false',
            },
          }).finally(() =>
            proxies.forEach((p) => {
              p.schedule(undefined);
              addFaults(tally.faults, p.counts());
            }),
          );

          const broken = await brokenTags(reg, repository);
          tally.brokenTags += broken.length;
          assert.deepEqual(broken, [], 'no target tag over incomplete content');

          await judge(run, tally, proxies.map(hostOf), async () => {
            assert.equal(output(run, 'digest'), image.digest);
            assert.equal((await getManifest(reg, repository, scenario.tag))?.digest, image.digest);
            if (!scenario.referrers) return;
            const tags = await listTags(reg, repository);
            const hex = image.digest.slice('sha256:'.length);
            for (const tag of [`sha256-${hex}`, `sha256-${hex}.sig`]) {
              assert.ok(tags.includes(tag), `${tag} in ${tags.join(', ')}`);
              assert.equal(
                (await getManifest(reg, repository, tag))?.digest,
                (await getManifest(nonprod, 'dev/multi', tag))?.digest,
                tag,
              );
            }
            for (const referrer of referrers) {
              assert.equal((await getManifest(reg, repository, referrer.digest))?.digest, referrer.digest);
            }
          });
        });
      }
    });
  }
});
