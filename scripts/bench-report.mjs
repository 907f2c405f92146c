// Turns the results of `npm run bench` into bench/results.md (machine, versions, every figure of
// issue 15 with its target and met / not met / not measured yet) and the SVG charts beside it.
import fs from 'node:fs';
import path from 'node:path';
import { fmt } from './bench-lib.mjs';
import { charts } from './bench-charts.mjs';

const MET = (ok, at = '') =>
  ok === null ? 'no target' : ok === undefined ? 'not measured yet' : `${ok ? 'met' : 'not met'}${at}`;
const x = (v) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : '');
const n = (s) => (s ? `${Math.round(s.median)}` : '-');

/** Every figure of the issue's table, with its target. */
export function figures(r) {
  const rows = [];
  const row = (work, ours, alt, ratio, target, ok, at) =>
    rows.push({ work, ours, alt, ratio: x(ratio), target, status: MET(ok, at) });
  const s = r.startup;
  const empty = s['node -e 0'].firstLine;
  for (const [name, t] of Object.entries(s).filter(([k]) => !['node -e 0', 'compileCache'].includes(k))) {
    const ratio = t.firstLine.median / empty.median;
    const cached = s.compileCache?.[name];
    row(
      `Start-up to first log line, ${name} (no inputs)`,
      `${fmt(t.firstLine)}; to its failed result ${fmt(t.wall)}` +
        (cached ? `; with NODE_COMPILE_CACHE (warm): ${fmt(cached.firstLine)}` : ''),
      `\`node -e 0\`: ${fmt(empty)}`,
      ratio,
      '<= 1.3x `node -e 0`',
      ratio <= 1.3,
    );
  }
  for (const b of r.bundles)
    row(
      `Bundle loaded at start, ${b.task} (${b.files.join(' + ')})`,
      `${b.kib.toFixed(0)} KiB (all shipped scripts ${(b.allKib ?? b.kib).toFixed(0)} KiB)`,
      '',
      NaN,
      '<= 600 KiB',
      b.kib <= 600,
    );

  const p = r.promote;
  const same = p.same;
  const limit = same.layers + 5;
  row(
    `Same registry, ${same.layers} layers, 100 MB: requests, blob uploads`,
    `${n(same.ours.requests)} requests, ${n(same.ours.uploads)} uploads`,
    same.skopeoCold
      ? `skopeo cold ${n(same.skopeoCold.requests)}, warm ${n(same.skopeoWarm.requests)} requests`
      : 'skopeo not available',
    NaN,
    `<= L+5 = ${limit} requests, 0 uploads`,
    same.ours.requests.median <= limit && same.ours.uploads.max === 0,
  );
  if (same.skopeoWarm) {
    const ratio = same.ours.seconds.median / same.skopeoWarm.seconds.median;
    row(
      'Same registry, 5 layers, 100 MB: wall',
      fmt(same.ours.seconds),
      `skopeo warm cache: ${fmt(same.skopeoWarm.seconds)}; cold: ${fmt(same.skopeoCold.seconds)}`,
      ratio,
      '<= 1.2x skopeo warm',
      ratio <= 1.2,
    );
  } else
    row(
      'Same registry, 5 layers, 100 MB: wall',
      fmt(same.ours.seconds),
      'skopeo not available',
      NaN,
      '<= 1.2x skopeo warm',
      undefined,
    );
  for (const [key, label] of [
    ['cross', 'Cross registry, 8 x 25 MB'],
    ['index', 'Cross registry, 4-platform index (2 x 8 MB each)'],
  ]) {
    const c = p[key];
    const ratio = c.skopeo ? c.ours.seconds.median / c.skopeo.seconds.median : NaN;
    row(
      `${label}: wall, requests`,
      `${fmt(c.ours.seconds)}, ${n(c.ours.requests)} requests`,
      `${c.skopeo ? `skopeo: ${fmt(c.skopeo.seconds)}, ${n(c.skopeo.requests)} requests; ` : ''}limit (parallel curl): ${fmt(c.curl.seconds)}`,
      ratio,
      '<= 0.9x skopeo',
      c.skopeo ? ratio <= 0.9 : undefined,
    );
  }
  const l = p.large;
  const mib = Math.round(l.bytes / 1048576);
  const lr = l.skopeo ? l.ours.seconds.median / l.skopeo.seconds.median : NaN;
  const atSize = mib < 1024 ? ` at ${mib} MiB only` : '';
  row(
    `Cross registry, one ${mib} MiB layer: wall`,
    fmt(l.ours.seconds),
    `${l.skopeo ? `skopeo: ${fmt(l.skopeo.seconds)}; ` : ''}limit (one curl stream): ${fmt(l.curl.seconds)}`,
    lr,
    '<= 1.0x skopeo (at 1 GiB)',
    l.skopeo ? lr <= 1.0 : undefined,
    atSize,
  );
  const footprint = s.PromoteImageV1?.rssMiB.median ?? NaN;
  const above = l.ours.rssMiB.median - footprint;
  row(
    `Cross registry, one ${mib} MiB layer: peak RSS`,
    `${fmt(l.ours.rssMiB, 'MiB', 0)}: ${above.toFixed(0)} MiB above the start-up footprint (${footprint.toFixed(0)} MiB)`,
    l.skopeo ? `skopeo: ${fmt(l.skopeo.rssMiB, 'MiB', 0)}` : '',
    l.skopeo ? l.ours.rssMiB.median / l.skopeo.rssMiB.median : NaN,
    '<= 24 MiB above start-up (at 1 GiB)',
    above <= 24,
    atSize,
  );
  const m = p.many;
  const at = m.points.find((q) => q.n === m.at);
  const mr = at.skopeo ? at.ours.median / at.skopeo.median : NaN;
  row(
    `${m.at} images, one step`,
    fmt(at.ours),
    at.skopeo ? `${m.at} skopeo runs: ${fmt(at.skopeo)}` : 'skopeo not available',
    mr,
    '<= 0.25x',
    at.skopeo ? mr <= 0.25 : undefined,
  );
  row(
    `${m.at} images, ${m.at} task runs`,
    `${fmt(m.taskRuns)} (${(m.taskRuns.median / m.at).toFixed(2)} s a run)`,
    '',
    NaN,
    '-',
    null,
  );
  if (!m.points.some((q) => q.n === 100))
    row('Images in one step: 100', 'not run (quick)', '', NaN, 'chart 1/5/20/100', undefined);
  const layerOk = p.layers.every((q) => q.same.requests.median <= q.layers + 5);
  row(
    `Promotion of ${p.layers.map((q) => q.layers).join('/')} layers, same registry: requests`,
    p.layers.map((q) => n(q.same.requests)).join(' / '),
    '',
    NaN,
    '<= L+5 each',
    layerOk,
  );

  const h = r.pin.headline;
  const hr = h.skopeo ? h.ours.seconds.median / h.skopeo.seconds.median : NaN;
  const inspected =
    h.skopeoInspected < h.refs ? ` (measured on ${h.skopeoInspected}, scaled to ${h.refs})` : '';
  row(
    `Pin ${h.refs} references (${h.unique} unique), ${h.refs / 2} files`,
    `${fmt(h.ours.seconds)}, ${n(h.ours.requests)} requests`,
    h.skopeo
      ? `one \`skopeo inspect\` each: ${fmt(h.skopeo.seconds)}, ${n(h.skopeo.requests)} requests${inspected}`
      : 'skopeo not available',
    hr,
    'requests = unique references',
    h.ours.requests.median === h.unique,
  );
  const big = r.pin.points.find((q) => q.refs === 10000);
  row(
    'Pin 10,000 references (1,000 unique)',
    big ? `${fmt(big.seconds)}, ${n(big.requests)} requests` : 'not run (quick)',
    '',
    NaN,
    '<= 5 s',
    big ? big.seconds.median <= 5 : undefined,
  );
  row(
    `Pin ${r.pin.points.map((q) => q.refs).join('/')} references: requests`,
    r.pin.points.map((q) => n(q.requests)).join(' / '),
    '',
    NaN,
    'a tenth (the unique ones)',
    r.pin.points.every((q) => q.requests.median === q.refs / 10),
  );

  const k = r.keyvault;
  const def = k.concurrency.find((q) => q.concurrency === k.defaultConcurrency);
  const kr = def.seconds.median / k.builtin.seconds.median;
  row(
    `Key Vault, 500 secrets, ${k.latencyMs} ms latency, default concurrency ${k.defaultConcurrency}`,
    `${fmt(def.seconds)} (paging limit ${((20 * k.latencyMs) / 1000).toFixed(2)} s)`,
    `built-in strategy: ${fmt(k.builtin.seconds)}`,
    kr,
    '<= 0.45x built-in',
    kr <= 0.45,
  );
  const t = k.throttled;
  row(
    `Key Vault throttled (${t.window.limit} requests/s): 429 handled`,
    `${t.ours.fetched}/500 fetched, ${t.ours.answered429} 429s, ${t.ours.answered429 - t.ours.handled} unhandled, ${t.ours.seconds.toFixed(2)} s`,
    `built-in: ${t.builtin.fetched}/500 fetched, ${t.builtin.answered429} 429s unhandled`,
    NaN,
    'no unhandled 429',
    t.ours.fetched === 500 && t.ours.answered429 === t.ours.handled,
  );
  return rows;
}

const pts = (list, key, value) => list.map((q) => `${q[key]}: ${fmt(value(q))}`).join('; ');

/** Each scaling chart with its medians written out beneath it. */
function scaling(r, svgs) {
  const p = r.promote;
  const k = r.keyvault;
  const data = {
    'many-images.svg':
      `PromoteImage, one step: ${pts(p.many.points, 'n', (q) => q.ours)}` +
      (p.many.points[0].skopeo ? `. skopeo, one run each: ${pts(p.many.points, 'n', (q) => q.skopeo)}` : ''),
    'promote-layers.svg': `same registry: ${pts(p.layers, 'layers', (q) => q.same.seconds)}. cross registry: ${pts(p.layers, 'layers', (q) => q.cross.seconds)}`,
    'pin-scaling.svg': `${pts(r.pin.points, 'refs', (q) => q.seconds)} (requests: ${r.pin.points.map((q) => Math.round(q.requests.median)).join(' / ')})`,
    'keyvault-concurrency.svg': `${pts(k.concurrency, 'concurrency', (q) => q.seconds)}; built-in strategy ${fmt(k.builtin.seconds)}`,
    'keyvault-secrets.svg': k.secrets
      .map(
        (q) =>
          `${q.secrets}: ${fmt(q.ours.seconds)} vs built-in ${fmt(q.builtin.seconds)} (paging limit ${q.pagingLimit.toFixed(2)} s)`,
      )
      .join('; '),
  };
  return Object.keys(svgs)
    .filter((f) => f !== 'headline.svg')
    .flatMap((f) => [`![${f.replace('.svg', '')}](${f})`, '', data[f] ?? '', '']);
}

const cell = (v) => String(v).replace(/\|/g, '\\|');

/** PromoteImage's signature gate and promotion record: what each costs per image (issue 16). */
function gateSection(rows) {
  if (!rows?.length) return [];
  const columns = Object.keys(rows[0]);
  return [
    '## Signature gate and promotion record (issue 16)',
    '',
    'Cross-registry promotions of 1-layer images, without and with the gate (requests counted at the',
    'source registry, where signatures are read) or the promotion record (counted at the target, where it',
    'is written); distribution 2.8 has no referrers API, so referrers go through the `sha256-<hex>` index.',
    '',
    `| ${columns.join(' | ')} |`,
    `|${columns.map(() => '---').join('|')}|`,
    ...rows.map((row) => `| ${columns.map((c) => cell(row[c])).join(' | ')} |`),
    '',
  ];
}

export function writeReport(dir, r) {
  fs.mkdirSync(dir, { recursive: true });
  const svgs = charts(r);
  for (const [name, text] of Object.entries(svgs)) fs.writeFileSync(path.join(dir, name), text);
  const rows = figures(r);
  const m = r.meta;
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench${m.quick ? ' -- --quick' : ''}\` on ${m.date}. Benchmarks measure; no test asserts a time.`,
    `Figures are medians of ${m.runs} runs with min-max, variants alternating in each run (A B C, then C B A).`,
    ...(m.quick ? ['', `**Quick run** (${m.quickNote}).`] : []),
    ...(m.note ? ['', m.note] : []),
    '',
    '![Headline: this project against the alternative](headline.svg)',
    '',
    '## Machine and versions',
    '',
    ...Object.entries(m.machine).map(([k, v]) => `- ${k}: ${v}`),
    ...Object.entries(m.versions).map(([k, v]) => `- ${k}: ${v}`),
    '',
    '## Figures (issue 15)',
    '',
    '| Work | This project | Alternative / limit | Ratio | Target | Status |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (q) =>
        `| ${[q.work, q.ours, q.alt || '-', q.ratio || '-', q.target, q.status].map(cell).join(' | ')} |`,
    ),
    '',
    `Met: ${rows.filter((q) => q.status.startsWith('met')).length}, not met: ${rows.filter((q) => q.status.startsWith('not met')).length}, not measured yet: ${rows.filter((q) => q.status === 'not measured yet').length}.`,
    '',
    '## Scaling',
    '',
    ...scaling(r, svgs),
    '',
    ...gateSection(r.gate),
  ];
  fs.writeFileSync(path.join(dir, 'results.md'), lines.join('\n'));
  fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(r, null, 1) + '\n');
  return rows;
}
