// A tiny rasterizer for icons, pure Node: a shape is an inside-test (x, y) => boolean on a plane
// where pixel (px, py) covers [px, px + 1) x [py, py + 1); render() averages ss x ss samples per
// pixel (anti-aliased edges) and encodePng() writes an 8-bit RGBA PNG (zlib deflate, CRC-32).
// Used by scripts/icons.mjs.
import zlib from 'node:zlib';

// ---------------------------------------------------------------- shapes: (x, y) => inside?
export const circle = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
export const ring = (cx, cy, r0, r1) => (x, y) => {
  const d = (x - cx) ** 2 + (y - cy) ** 2;
  return d >= r0 * r0 && d <= r1 * r1;
};
export const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const dx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const dy = Math.max(y0 + r - y, 0, y - (y1 - r));
  return x >= x0 && x <= x1 && y >= y0 && y <= y1 && dx * dx + dy * dy <= r * r;
};
const segmentDistance = (x, y, ax, ay, bx, by) => {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy || 1)));
  return Math.hypot(x - ax - t * vx, y - ay - t * vy);
};
/** A thick line with round ends. */
export const capsule = (ax, ay, bx, by, r) => (x, y) => segmentDistance(x, y, ax, ay, bx, by) <= r;
/** A line whose half-width grows from ra at a to rb at b. */
export const taper = (ax, ay, bx, by, ra, rb) => (x, y) => {
  const [vx, vy] = [bx - ax, by - ay];
  const t = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(x - ax - t * vx, y - ay - t * vy) <= ra + (rb - ra) * t;
};
/** Remembers a shape's answer for the last point: layers ask about the same point in turn. */
const lastPoint = (f) => {
  let [lx, ly, last] = [NaN, NaN, undefined];
  return (x, y) => {
    if (x !== lx || y !== ly) [lx, ly, last] = [x, y, f(x, y)];
    return last;
  };
};
/** Even-odd fill of a closed polygon [[x, y], ...]. */
export const polygon = (pts) => {
  const [xs, ys] = [pts.map((p) => p[0]), pts.map((p) => p[1])];
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return lastPoint((x, y) => {
    if (x < x0 || x > x1 || y < y0 || y > y1) return false;
    let inside = false;
    for (let i = 0, j = xs.length - 1; i < xs.length; j = i++) {
      if (ys[i] > y !== ys[j] > y && x < ((xs[j] - xs[i]) * (y - ys[i])) / (ys[j] - ys[i]) + xs[i]) {
        inside = !inside;
      }
    }
    return inside;
  });
};
/** Distance from a point to a closed outline. */
export const outlineDistance = (pts) =>
  lastPoint((x, y) => {
    let d = Infinity;
    for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
      d = Math.min(d, segmentDistance(x, y, pts[j][0], pts[j][1], pts[i][0], pts[i][1]));
    }
    return d;
  });
/** The part of a polygon at least d from its outline (an evenly inset copy). */
export const insetPolygon =
  (pts, d, fill = polygon(pts), distance = outlineDistance(pts)) =>
  (x, y) =>
    fill(x, y) && distance(x, y) >= d;
export const union =
  (...shapes) =>
  (x, y) =>
    shapes.some((s) => s(x, y));
export const subtract =
  (shape, ...holes) =>
  (x, y) =>
    shape(x, y) && !holes.some((h) => h(x, y));
export const rotate = (shape, degrees, cx, cy) => {
  const [c, s] = [Math.cos((-degrees * Math.PI) / 180), Math.sin((-degrees * Math.PI) / 180)];
  return (x, y) => shape(cx + (x - cx) * c - (y - cy) * s, cy + (x - cx) * s + (y - cy) * c);
};
export const translate = (shape, dx, dy) => (x, y) => shape(x - dx, y - dy);

/** Points along a cubic Bezier curve, without its first point. */
export function cubic([x0, y0], [x1, y1], [x2, y2], [x3, y3], steps = 24) {
  return Array.from({ length: steps }, (_, i) => {
    const t = (i + 1) / steps;
    const u = 1 - t;
    const [a, b, c, d] = [u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t];
    return [a * x0 + b * x1 + c * x2 + d * x3, a * y0 + b * y1 + c * y2 + d * y3];
  });
}

// ---------------------------------------------------------------- paint
export const rgba = (rgb, a = 1) => [...rgb, a];
/** A colour ramp between two points of the plane. */
export const gradient = (x0, y0, c0, x1, y1, c1) => (x, y) => {
  const [vx, vy] = [x1 - x0, y1 - y0];
  const t = Math.max(0, Math.min(1, ((x - x0) * vx + (y - y0) * vy) / (vx * vx + vy * vy)));
  return c0.map((v, i) => v + (c1[i] - v) * t);
};

/** Averages ss x ss samples per pixel of the layers painted in order (source-over). */
export function render(size, layers, ss = 8) {
  const out = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const [x, y] = [px + (sx + 0.5) / ss, py + (sy + 0.5) / ss];
          let [sr, sg, sb, sa] = [0, 0, 0, 0]; // premultiplied
          for (const [shape, paint] of layers) {
            if (!shape(x, y)) continue;
            const c = typeof paint === 'function' ? paint(x, y) : paint;
            const [k, ca] = [1 - c[3], c[3]];
            [sr, sg, sb, sa] = [c[0] * ca + sr * k, c[1] * ca + sg * k, c[2] * ca + sb * k, ca + sa * k];
          }
          [r, g, b, a] = [r + sr, g + sg, b + sb, a + sa];
        }
      }
      const i = (py * size + px) * 4;
      if (a > 0) [out[i], out[i + 1], out[i + 2]] = [r / a, g / a, b / a].map(Math.round);
      out[i + 3] = Math.round((a / (ss * ss)) * 255);
    }
  }
  return out;
}

// ---------------------------------------------------------------- PNG writer
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}
/** An 8-bit RGBA, non-interlaced PNG; every row uses filter 0 (none). */
export function encodePng(size, rgbaPixels) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const rows = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    rgbaPixels.copy(rows, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(rows, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}
