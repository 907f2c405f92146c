// Designs the extension icon (128x128: a crest shield holding a ship's helm wheel) and the task
// icons (32x32: one glyph per task on a deep blue tile) in one deep blue / teal palette, and
// writes them as PNG files. Drawing and PNG encoding are in scripts/raster.mjs (pure Node).
// The build does not run it; the PNGs are committed. After changing a design, rerun
//   node scripts/icons.mjs
// look at every PNG it lists (at 1x, and enlarged), then commit them with the scripts.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  capsule,
  circle,
  cubic,
  encodePng,
  gradient,
  insetPolygon,
  outlineDistance,
  polygon,
  render,
  rgba,
  ring,
  rotate,
  roundRect,
  subtract,
  taper,
  translate,
  union,
} from './raster.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// ---------------------------------------------------------------- designs
const palette = {
  navy: [8, 27, 61],
  deep: [14, 55, 112],
  blue: [22, 96, 168],
  teal: [0, 151, 167],
  aqua: [45, 212, 200],
  mist: [214, 246, 243],
  white: [255, 255, 255],
};

/** A ship's helm wheel: rim, hub, spokes, and turned handles ending in knobs past the rim. */
function helmWheel(cx, cy, radius, { rim, hub, spoke, handle, reach, hole = 0, spokes = 8 }) {
  const parts = [ring(cx, cy, radius - rim, radius), circle(cx, cy, hub)];
  for (let i = 0; i < spokes; i++) {
    const t = (i * 2 * Math.PI) / spokes - Math.PI / 2;
    const at = (r) => [cx + Math.cos(t) * r, cy + Math.sin(t) * r];
    parts.push(capsule(cx, cy, ...at(radius), spoke));
    parts.push(taper(...at(radius), ...at(radius + reach - handle), spoke, handle * 0.7));
    parts.push(circle(...at(radius + reach - handle), handle));
  }
  return hole > 0 ? subtract(union(...parts), circle(cx, cy, hole)) : union(...parts);
}

/** The outline of a crest shield in a 128 box: peaked top, straight flanks, pointed base. */
function shieldOutline() {
  const half = [
    [64, 9],
    ...cubic([64, 9], [78, 19], [94, 22], [110, 21]),
    [111, 58],
    ...cubic([111, 58], [111, 88], [92, 108], [64, 121]),
  ];
  const left = half
    .slice(1, -1)
    .reverse()
    .map(([x, y]) => [128 - x, y]);
  return [...half, ...left];
}

function extensionIcon() {
  const outline = shieldOutline();
  const shield = polygon(outline);
  const distance = outlineDistance(outline);
  const inset = (d) => insetPolygon(outline, d, shield, distance);
  const body = inset(4);
  const line = subtract(inset(9), inset(11));
  const wheel = helmWheel(64, 63, 27, { rim: 6, hub: 10, spoke: 2.4, handle: 4.2, reach: 12, hole: 4 });
  return render(128, [
    [translate(shield, 0, 2), rgba(palette.navy, 0.25)],
    [shield, rgba(palette.navy)],
    [body, gradient(30, 10, rgba(palette.teal), 90, 118, rgba(palette.deep))],
    [(x, y) => x < 64 && body(x, y), rgba(palette.white, 0.07)],
    [line, rgba(palette.aqua, 0.55)],
    [translate(wheel, 0, 2.5), rgba(palette.navy, 0.45)],
    [wheel, gradient(40, 30, rgba(palette.white), 90, 100, rgba(palette.mist))],
    [circle(64, 63, 6.5), rgba(palette.teal)],
    [circle(64, 63, 3), rgba(palette.navy)],
  ]);
}

/** The tile every task icon sits on. */
const tile = () => [
  [roundRect(1, 1, 31, 31, 6.5), gradient(0, 0, rgba(palette.blue), 22, 32, rgba(palette.navy))],
  [subtract(roundRect(1, 1, 31, 31, 6.5), roundRect(2, 2, 30, 30, 5.5)), rgba(palette.aqua, 0.35)],
];

/** A shipping container, front view, ribbed. */
function container(x0, y0, x1, y1) {
  const ribs = [];
  for (let x = x0 + 3; x < x1 - 1.5; x += 2.5) ribs.push(roundRect(x, y0 + 2, x + 1, y1 - 2, 0.4));
  return { body: roundRect(x0, y0, x1, y1, 1.2), ribs: union(...ribs) };
}

const taskIcons = {
  PromoteImageV1() {
    const box = container(4, 16, 21, 27);
    const arrow = union(
      capsule(11, 21, 22.5, 9.5, 1.7),
      polygon([
        [27.5, 4.5],
        [26.2, 15.2],
        [16.8, 5.8],
      ]),
    );
    return render(32, [
      ...tile(),
      [box.body, rgba(palette.aqua)],
      [box.ribs, rgba(palette.teal)],
      [translate(arrow, 0.6, 0.9), rgba(palette.navy, 0.6)],
      [arrow, rgba(palette.white)],
    ]);
  },
  PinImageDigestsV1() {
    const upright = {
      head: roundRect(10, 3, 22, 7.5, 1.8),
      body: polygon([
        [12.5, 7],
        [19.5, 7],
        [18.5, 15],
        [13.5, 15],
      ]),
      collar: roundRect(8, 14.5, 24, 18.5, 1.8),
      needle: polygon([
        [14.8, 18],
        [17.2, 18],
        [16, 29.5],
      ]),
    };
    const tilt = (s) => rotate(s, 40, 16, 16);
    const pin = tilt(union(upright.head, upright.body, upright.collar));
    return render(32, [
      ...tile(),
      [tilt(upright.needle), rgba(palette.aqua)],
      [translate(pin, 0.5, 0.8), rgba(palette.navy, 0.6)],
      [pin, rgba(palette.white)],
      [tilt(roundRect(12.5, 8, 14.5, 14, 0.8)), rgba(palette.aqua, 0.9)],
    ]);
  },
  InjectKeyVaultSecretsV1() {
    const flat = subtract(
      union(
        circle(9.5, 16, 6.5),
        roundRect(14, 14.3, 28, 17.7, 0.8),
        roundRect(22, 16, 24.2, 21.5, 0.6),
        roundRect(25.5, 16, 27.7, 20, 0.6),
      ),
      circle(8.5, 16, 2.4),
    );
    const key = rotate(flat, -40, 16, 16);
    return render(32, [
      ...tile(),
      [translate(key, 0.5, 0.8), rgba(palette.navy, 0.6)],
      [key, gradient(6, 6, rgba(palette.white), 26, 26, rgba(palette.mist))],
      [rotate(ring(9.5, 16, 4.2, 5.2), -40, 16, 16), rgba(palette.aqua, 0.9)],
    ]);
  },
  DeployHelmChartV1() {
    const wheel = helmWheel(16, 16, 8, {
      rim: 2.4,
      hub: 3.2,
      spoke: 0.9,
      handle: 1.6,
      reach: 4.6,
      hole: 1.3,
    });
    return render(32, [
      ...tile(),
      [translate(wheel, 0.5, 0.8), rgba(palette.navy, 0.6)],
      [wheel, rgba(palette.white)],
      [ring(16, 16, 1.3, 2.4), rgba(palette.aqua)],
    ]);
  },
  PublishHelmChartV1() {
    const box = union(
      polygon([
        [5, 17],
        [27, 17],
        [25.5, 28],
        [6.5, 28],
      ]),
    );
    const lid = roundRect(4, 15, 28, 19, 1);
    const arrow = union(
      capsule(16, 22, 16, 10, 1.8),
      polygon([
        [16, 2.8],
        [22.5, 10.5],
        [9.5, 10.5],
      ]),
    );
    return render(32, [
      ...tile(),
      [box, rgba(palette.teal)],
      [lid, rgba(palette.aqua)],
      [roundRect(12, 21, 20, 23.2, 1), rgba(palette.mist, 0.9)],
      [translate(arrow, 0.5, 0.8), rgba(palette.navy, 0.6)],
      [arrow, rgba(palette.white)],
    ]);
  },
};

/** Every icon as [path relative to the repository, PNG bytes]. */
export function icons() {
  return [
    ['images/extension-icon.png', encodePng(128, extensionIcon())],
    ...Object.entries(taskIcons).map(([task, draw]) => [`tasks/${task}/icon.png`, encodePng(32, draw())]),
  ];
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [file, png] of icons()) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), png);
    console.log(`${file} (${png.length} bytes)`);
  }
}
