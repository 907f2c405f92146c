// The SVG charts of bench/results.md, from the results of `npm run bench`: the headline bars
// (this project against the alternative) and the scaling lines.
import { barChart, lineChart } from './bench-svg.mjs';

const point = (px, s, scale = 1) => ({ x: px, y: s.median * scale, lo: s.min * scale, hi: s.max * scale });

/** The SVG charts: file name -> SVG text. */
export function charts(r) {
  const p = r.promote;
  const k = r.keyvault;
  const out = {};
  const def = k.concurrency.find((q) => q.concurrency === k.defaultConcurrency);
  const bars = [
    {
      label: 'Start-up, PromoteImage',
      ours: r.startup.PromoteImageV1.firstLine.median,
      alt: r.startup['node -e 0'].firstLine.median,
      altName: 'node -e 0',
    },
    {
      label: 'Same registry, 100 MB',
      ours: p.same.ours.seconds.median,
      alt: p.same.skopeoWarm?.seconds.median,
      altName: 'skopeo, warm cache',
    },
    {
      label: 'Cross registry, 8 x 25 MB',
      ours: p.cross.ours.seconds.median,
      alt: p.cross.skopeo?.seconds.median,
      altName: 'skopeo',
    },
    {
      label: 'Cross registry, 4-platform index',
      ours: p.index.ours.seconds.median,
      alt: p.index.skopeo?.seconds.median,
      altName: 'skopeo',
    },
    {
      label: `One ${Math.round(p.large.bytes / 1048576)} MiB layer`,
      ours: p.large.ours.seconds.median,
      alt: p.large.skopeo?.seconds.median,
      altName: 'skopeo',
    },
    {
      label: `${p.many.at} images`,
      ours: p.many.points.find((q) => q.n === p.many.at).ours.median,
      alt: p.many.points.find((q) => q.n === p.many.at).skopeo?.median,
      altName: `${p.many.at} skopeo runs`,
    },
    {
      label: 'Pin 300 references',
      ours: r.pin.headline.ours.seconds.median,
      alt: r.pin.headline.skopeo?.seconds.median,
      altName: 'skopeo inspect each',
    },
    {
      label: 'Key Vault, 500 secrets',
      ours: def.seconds.median,
      alt: k.builtin.seconds.median,
      altName: 'built-in strategy',
    },
  ].filter((b) => b.alt);
  out['headline.svg'] = barChart(bars, { title: 'Wall time (median): this project vs the alternative' });
  const many = [{ name: 'PromoteImage, one step', points: p.many.points.map((q) => point(q.n, q.ours)) }];
  if (p.many.points[0].skopeo)
    many.push({ name: 'skopeo, one run each', points: p.many.points.map((q) => point(q.n, q.skopeo)) });
  out['many-images.svg'] = lineChart(many, {
    title: 'Promotion of N images (cross registry)',
    xLabel: 'images',
    yLabel: 'seconds',
  });
  out['promote-layers.svg'] = lineChart(
    [
      { name: 'same registry', points: p.layers.map((q) => point(q.layers, q.same.seconds)) },
      { name: 'cross registry', points: p.layers.map((q) => point(q.layers, q.cross.seconds)) },
    ],
    { title: 'Promotion of L layers of 1 MiB', xLabel: 'layers', yLabel: 'seconds' },
  );
  out['pin-scaling.svg'] = lineChart(
    [{ name: 'PinImageDigests', points: r.pin.points.map((q) => point(q.refs, q.seconds)) }],
    {
      title: 'Pinning N references (a tenth unique)',
      xLabel: 'references (log)',
      yLabel: 'seconds (log)',
      logX: true,
      logY: true,
    },
  );
  const flat = (name, v) => ({ name, points: k.concurrency.map((q) => ({ x: q.concurrency, y: v })) });
  out['keyvault-concurrency.svg'] = lineChart(
    [
      { name: 'this task', points: k.concurrency.map((q) => point(q.concurrency, q.seconds)) },
      flat('built-in strategy', k.builtin.seconds.median),
      flat('paging limit', (20 * k.latencyMs) / 1000),
    ],
    {
      title: `Key Vault, 500 secrets, ${k.latencyMs} ms latency`,
      xLabel: 'concurrency (log)',
      yLabel: 'seconds',
      logX: true,
    },
  );
  out['keyvault-secrets.svg'] = lineChart(
    [
      {
        name: `this task (${k.defaultConcurrency})`,
        points: k.secrets.map((q) => point(q.secrets, q.ours.seconds)),
      },
      { name: 'built-in strategy', points: k.secrets.map((q) => point(q.secrets, q.builtin.seconds)) },
      { name: 'paging limit', points: k.secrets.map((q) => ({ x: q.secrets, y: q.pagingLimit })) },
    ],
    {
      title: `Key Vault, ${k.latencyMs} ms latency`,
      xLabel: 'secrets (log)',
      yLabel: 'seconds (log)',
      logX: true,
      logY: true,
    },
  );
  return out;
}
