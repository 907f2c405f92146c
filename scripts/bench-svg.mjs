// Hand-written SVG charts for bench/results.md: a line chart (x against y, one line per series,
// linear or log axes) and a horizontal bar chart (this project against the alternative, per row).
const W = 640;
const COLORS = ['#1f6feb', '#d1242f', '#2da44e', '#bf8700', '#8250df', '#57606a'];
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const num = (v) =>
  Number.isInteger(v)
    ? String(v)
    : Math.abs(v) >= 100
      ? v.toFixed(0)
      : Math.abs(v) >= 1
        ? v.toFixed(1)
        : v.toPrecision(2);

function svg(height, body, title) {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" ` +
    `font-family="sans-serif" font-size="12"><title>${esc(title)}</title>` +
    `<rect width="100%" height="100%" fill="#ffffff"/>` +
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>` +
    `${body}</svg>\n`
  );
}

/** A linear or log10 scale from [lo, hi] onto [a, b], with tick values. */
function scale(values, log, a, b) {
  const positive = values.filter((v) => v > 0);
  let lo = log ? Math.min(...positive) : 0;
  let hi = Math.max(...values, log ? lo * 10 : 1e-9);
  if (log) {
    lo = 10 ** Math.floor(Math.log10(lo));
    hi = 10 ** Math.ceil(Math.log10(hi));
  } else {
    const raw = hi / 4;
    const mag = 10 ** Math.floor(Math.log10(raw));
    hi = 4 * mag * [1, 2, 2.5, 5, 10].find((m) => m * mag >= raw);
  }
  const t = (v) => (log ? (Math.log10(v) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo)) : v / hi);
  const ticks = [];
  if (log) for (let v = lo; v <= hi * 1.0001; v *= 10) ticks.push(v);
  else for (let i = 0; i <= 4; i++) ticks.push((hi / 4) * i);
  return { at: (v) => a + (b - a) * t(v), ticks };
}

/**
 * series: [{ name, points: [{ x, y, lo?, hi? }] }] (lo/hi: min-max whiskers).
 * options: { title, xLabel, yLabel, logX, logY }.
 */
export function lineChart(series, { title, xLabel, yLabel, logX = false, logY = false }) {
  const H = 380;
  const box = { l: 70, r: W - 150, t: 40, b: H - 50 };
  const points = series.flatMap((s) => s.points);
  const x = scale(
    points.map((p) => p.x),
    logX,
    box.l,
    box.r,
  );
  const y = scale(
    points.flatMap((p) => [p.y, p.hi ?? p.y]),
    logY,
    box.b,
    box.t,
  );
  const parts = [
    `<rect x="${box.l}" y="${box.t}" width="${box.r - box.l}" height="${box.b - box.t}" fill="none" stroke="#8c959f"/>`,
  ];
  for (const v of y.ticks) {
    const py = y.at(v).toFixed(1);
    parts.push(
      `<line x1="${box.l}" x2="${box.r}" y1="${py}" y2="${py}" stroke="#eaeef2"/>`,
      `<text x="${box.l - 6}" y="${py}" text-anchor="end" dominant-baseline="middle">${num(v)}</text>`,
    );
  }
  const xs = [...new Set(points.map((p) => p.x))];
  for (const v of xs) {
    const px = x.at(v).toFixed(1);
    parts.push(`<text x="${px}" y="${box.b + 16}" text-anchor="middle">${num(v)}</text>`);
  }
  parts.push(
    `<text x="${(box.l + box.r) / 2}" y="${H - 12}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="16" y="${(box.t + box.b) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(box.t + box.b) / 2})">${esc(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const pts = s.points.map((p) => `${x.at(p.x).toFixed(1)},${y.at(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="2"/>`);
    for (const p of s.points) {
      const px = x.at(p.x).toFixed(1);
      if (p.lo !== undefined && p.hi !== undefined && p.hi > p.lo)
        parts.push(
          `<line x1="${px}" x2="${px}" y1="${y.at(p.lo).toFixed(1)}" y2="${y.at(p.hi).toFixed(1)}" stroke="${color}"/>`,
        );
      parts.push(`<circle cx="${px}" cy="${y.at(p.y).toFixed(1)}" r="3" fill="${color}"/>`);
    }
    const ly = box.t + 10 + i * 18;
    parts.push(
      `<rect x="${box.r + 12}" y="${ly - 5}" width="12" height="10" fill="${color}"/>`,
      `<text x="${box.r + 30}" y="${ly}" dominant-baseline="middle">${esc(s.name)}</text>`,
    );
  });
  return svg(H, parts.join(''), title);
}

/**
 * rows: [{ label, ours, alt, altName }] in any one unit; each row drawn as two bars scaled to the
 * row's larger value, with the ratio ours / alternative printed.
 */
export function barChart(rows, { title, oursName = 'Release Guard' }) {
  const rowH = 46;
  const H = 70 + rows.length * rowH;
  const left = 230;
  const width = W - left - 90;
  const parts = [
    `<rect x="${left}" y="30" width="12" height="10" fill="${COLORS[0]}"/><text x="${left + 16}" y="39">${esc(oursName)}</text>`,
    `<rect x="${left + 140}" y="30" width="12" height="10" fill="${COLORS[5]}"/><text x="${left + 156}" y="39">alternative (named per row)</text>`,
  ];
  rows.forEach((r, i) => {
    const top = 55 + i * rowH;
    const max = Math.max(r.ours, r.alt);
    const bar = (v, y, color) =>
      `<rect x="${left}" y="${y}" width="${Math.max(1, (v / max) * width).toFixed(1)}" height="14" fill="${color}"/>` +
      `<text x="${left + (v / max) * width + 4}" y="${y + 11}">${num(v)}${esc(r.unit ?? ' s')}</text>`;
    parts.push(
      `<text x="${left - 8}" y="${top + 12}" text-anchor="end">${esc(r.label)}</text>`,
      `<text x="${left - 8}" y="${top + 28}" text-anchor="end" fill="#57606a">vs ${esc(r.altName)}: ${(r.ours / r.alt).toFixed(2)}x</text>`,
      bar(r.ours, top, COLORS[0]),
      bar(r.alt, top + 17, COLORS[5]),
    );
  });
  return svg(H, parts.join(''), title);
}
