// The benchmark report (scripts/bench-report.mjs, bench-charts.mjs, bench-svg.mjs) from made-up
// results: each figure gets the status its target calls for, a missing alternative reads "not
// measured yet", a smaller large layer says so, and the charts are drawn from the data. No
// benchmark runs here and no time is measured.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../support/tools';

interface Row {
  work: string;
  status: string;
}
interface Point {
  x: number;
  y: number;
  lo?: number;
  hi?: number;
}
interface Report {
  figures: (results: unknown) => Row[];
  writeReport: (dir: string, results: unknown) => Row[];
}
interface Svg {
  lineChart: (series: { name: string; points: Point[] }[], options: Record<string, unknown>) => string;
}

const load = async <T>(name: string) =>
  (await import(pathToFileURL(path.join(repoRoot(), 'scripts', name)).href)) as T;

const s = (median: number, min = median, max = median) => ({ median, min, max, n: 3 });
const copy = (ours: number, skopeo?: number) => ({
  bytes: 256 * 1024 * 1024,
  ours: { seconds: s(ours), requests: s(40), uploads: s(8), rssMiB: s(90) },
  curl: { seconds: s(ours / 2), requests: s(20), uploads: s(8) },
  ...(skopeo === undefined ? {} : { skopeo: { seconds: s(skopeo), requests: s(50), rssMiB: s(30) } }),
});

function results() {
  const startup = (firstLine: number) => ({ firstLine: s(firstLine), wall: s(firstLine), rssMiB: s(60) });
  const conc = (concurrency: number, seconds: number) => ({
    concurrency,
    seconds: s(seconds),
    fetched: 500,
    unhandled429: 0,
    requests: s(521),
  });
  return {
    meta: { date: 'd', quick: true, quickNote: 'q', runs: 3, machine: { cores: 2 }, versions: { node: 'v' } },
    bundles: [
      { task: 'PromoteImageV1', kib: 600, files: ['index.js'] },
      { task: 'PinImageDigestsV1', kib: 601, files: ['index.js'] },
    ],
    startup: { 'node -e 0': startup(0.1), PromoteImageV1: startup(0.125), DeployHelmChartV1: startup(0.14) },
    promote: {
      same: {
        layers: 5,
        ours: { seconds: s(0.2), requests: s(10), uploads: s(0) },
        skopeoCold: { seconds: s(0.8), requests: s(34), uploads: s(5) },
        skopeoWarm: { seconds: s(0.1), requests: s(24), uploads: s(0) },
      },
      cross: copy(0.9, 1),
      index: copy(1),
      large: copy(2, 3),
      many: {
        points: [
          { n: 1, ours: s(0.3), skopeo: s(0.2) },
          { n: 20, ours: s(1.2), skopeo: s(4) },
        ],
        taskRuns: s(7),
        at: 20,
      },
      layers: [1, 10].map((layers) => ({
        layers,
        same: { seconds: s(0.2), requests: s(layers + 6) },
        cross: { seconds: s(0.3), requests: s(3 * layers) },
      })),
    },
    pin: {
      headline: { refs: 300, unique: 100, pinned: 100, ours: { seconds: s(1), requests: s(100) } },
      points: [10, 100].map((refs) => ({ refs, seconds: s(refs / 100), requests: s(refs / 10) })),
    },
    keyvault: {
      latencyMs: 20,
      defaultConcurrency: 16,
      builtin: { seconds: s(1.2) },
      concurrency: [conc(4, 3), conc(16, 0.5)],
      secrets: [50, 500].map((secrets) => ({
        secrets,
        pagingLimit: secrets / 1000,
        builtin: { seconds: s(secrets / 400) },
        ours: { seconds: s(secrets / 800) },
      })),
      throttled: {
        window: { limit: 250, windowMs: 1000 },
        builtin: { seconds: 1, fetched: 240, handled: 0, answered429: 260 },
        ours: { seconds: 4, fetched: 500, handled: 48, answered429: 49 },
      },
    },
  };
}

describe('benchmark report', () => {
  it('gives each figure the status its target calls for', async () => {
    const { figures } = await load<Report>('bench-report.mjs');
    const status = new Map(figures(results()).map((r) => [r.work, r.status]));
    const find = (start: string) => {
      const key = [...status.keys()].find((k) => k.startsWith(start));
      assert.ok(key, `a row starting "${start}" in ${[...status.keys()].join('; ')}`);
      return status.get(key);
    };
    assert.equal(find('Start-up to first log line, PromoteImageV1'), 'met'); // 1.25x
    assert.equal(find('Start-up to first log line, DeployHelmChartV1'), 'not met'); // 1.4x
    assert.equal(find('Bundle loaded at start, PromoteImageV1'), 'met');
    assert.equal(find('Bundle loaded at start, PinImageDigestsV1'), 'not met');
    assert.equal(find('Same registry, 5 layers, 100 MB: requests'), 'met');
    assert.equal(find('Same registry, 5 layers, 100 MB: wall'), 'not met'); // 2x skopeo warm
    assert.equal(find('Cross registry, 8 x 25 MB'), 'met'); // 0.9x: at the target
    assert.equal(find('Cross registry, 4-platform index'), 'not measured yet'); // no skopeo
    assert.equal(find('Cross registry, one 256 MiB layer: wall'), 'met at 256 MiB only');
    assert.equal(find('Cross registry, one 256 MiB layer: peak RSS'), 'not met at 256 MiB only'); // 30 MiB above 60
    assert.equal(find('20 images, one step'), 'not met'); // 0.3x
    assert.equal(find('Promotion of 1/10 layers'), 'not met'); // L+6 requests
    assert.equal(find('Pin 10,000 references'), 'not measured yet');
    assert.equal(find('Pin 300 references'), 'met');
    assert.equal(find('Key Vault, 500 secrets'), 'met'); // 0.5 / 1.2 = 0.42x
    assert.equal(find('Key Vault throttled'), 'not met'); // one 429 left unhandled
  });

  it('writes results.md naming every figure and linking each chart it drew', async () => {
    const { writeReport } = await load<Report>('bench-report.mjs');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-report-'));
    try {
      const rows = writeReport(dir, results());
      const md = fs.readFileSync(path.join(dir, 'results.md'), 'utf8');
      for (const r of rows) assert.ok(md.includes(r.work), r.work);
      const linked = [...md.matchAll(/\]\(([\w-]+\.svg)\)/g)].map((m) => m[1]).sort();
      const drawn = fs.readdirSync(dir).filter((f) => f.endsWith('.svg'));
      assert.deepEqual(linked, drawn.sort());
      assert.ok(drawn.includes('headline.svg'));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('draws one line per series, min-max whiskers and escaped text', async () => {
    const { lineChart } = await load<Svg>('bench-svg.mjs');
    const svg = lineChart(
      [
        {
          name: 'a <b>',
          points: [
            { x: 1, y: 1, lo: 0.5, hi: 2 },
            { x: 10, y: 10 },
          ],
        },
        {
          name: 'c',
          points: [
            { x: 1, y: 2 },
            { x: 10, y: 3 },
          ],
        },
      ],
      { title: 'T & U', xLabel: 'x', yLabel: 'y', logX: true },
    );
    assert.equal(svg.match(/<polyline /g)?.length, 2);
    assert.equal(svg.match(/<circle /g)?.length, 4);
    assert.equal(svg.match(/<line x1="([\d.]+)" x2="\1"/g)?.length, 1); // the one whisker
    assert.ok(svg.includes('a &lt;b&gt;') && svg.includes('T &amp; U'));
    const xs = [...svg.matchAll(/<circle cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    assert.ok(xs[0]! < xs[1]!, 'x grows to the right');
  });
});
