// Measures (asserts nothing): a 100 MB blob copied across registries through the fault proxy, cut
// at 50 %, uploaded whole (one PUT: the cut restarts it) or in 16 MiB chunks (the cut resumes at
// the last chunk the registry has). Not part of `npm test`; after a build:
//   npx mocha --timeout 600000 out/test/common/copy/largeBlob.bench.js
import { copyImage } from '../../../tasks/common/copy/copy';
import { parseImageReference } from '../../../tasks/common/registry/reference';
import { startRegistry, type RegistryFixture } from '../../emulators/registry';
import { pushImage, type PushedImage } from '../../emulators/registry/images';
import { blobUploads, stopAll, testClient } from '../../support/registryTestClient';

const SIZE = 100_000_000;
const MiB = 1024 * 1024;

describe('bench: a 100 MB blob cut at 50 %', function () {
  this.timeout(600_000);
  let source: RegistryFixture;
  let target: RegistryFixture;
  let image: PushedImage;
  before(async () => {
    [source, target] = await Promise.all([startRegistry(), startRegistry({ faults: true })]);
    image = await pushImage(source, 'bench/big', { format: 'oci', layers: [SIZE], tag: 'v1' });
  });
  after(() => stopAll([source, target]));

  const cases = [
    { name: 'one PUT, no cut', chunk: 1024 * MiB, cut: false, registrySeesPart: false },
    { name: 'one PUT, cut at 50 % (starts over)', chunk: 1024 * MiB, cut: true, registrySeesPart: false },
    { name: '16 MiB chunks, no cut', chunk: 16 * MiB, cut: false, registrySeesPart: false },
    { name: '16 MiB chunks, cut at 50 % (resumes)', chunk: 16 * MiB, cut: true, registrySeesPart: false },
    {
      name: '16 MiB chunks, cut at 50 %, registry keeps the part (2.8 drops the session)',
      chunk: 16 * MiB,
      cut: true,
      registrySeesPart: true,
    },
  ];
  const rows: string[] = [];
  after(() => {
    console.log(
      ['', '| case | ms | bytes sent | sent / size |', '| --- | ---: | ---: | ---: |', ...rows].join('\n'),
    );
  });

  cases.forEach((c, i) => {
    it(c.name, async () => {
      const repository = `prod/big-${i}`;
      if (c.cut) {
        target.injectCut?.({
          match: (method, path) =>
            (method === 'PATCH' || method === 'PUT') && path.startsWith(`/v2/${repository}/blobs/uploads/`),
          afterBytes: SIZE / 2,
          registrySeesPart: c.registrySeesPart,
        });
      }
      target.resetRequests();
      const client = testClient({}, { uploadChunkBytes: c.chunk });
      const started = process.hrtime.bigint();
      await copyImage(client, {
        source: parseImageReference(`${source.host}/bench/big:v1`),
        target: { registry: target.host, repository },
        tags: ['v1'],
        overwrite: 'never',
        copyReferrers: false,
        dryRun: false,
        concurrency: 1,
      });
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      client.close();
      const sent = blobUploads(await target.requests())
        .filter((r) => r.path.startsWith(`/v2/${repository}/`))
        .reduce((n, r) => n + (r.bodyBytes ?? 0), 0);
      const total = image.blobs.reduce((n, b) => n + b.size, 0);
      rows.push(`| ${c.name} | ${ms.toFixed(0)} | ${sent} | ${(sent / total).toFixed(2)} |`);
    });
  });
});
