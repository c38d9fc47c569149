// Draws Vigil's app and tray icons as PNGs (no image tools needed): `node build/make-icons.mjs`.
// The PNGs are committed; rerun only to change the artwork. Shapes are computed per pixel with
// 4×4 supersampling, so edges stay smooth at 16 px.
import { Buffer } from 'node:buffer';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';

const HERE = import.meta.dirname;

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body) >>> 0);
  return Buffer.concat([len, body, crc]);
}

/** RGBA pixels (size × size × 4) → PNG bytes. */
function encodePng(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc((size * 4 + 1) * size);
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    sig,
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Paints layers (each a coverage function of (x, y) in 0..1 units and a colour) onto a canvas. */
function render(size, layers) {
  const px = Buffer.alloc(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (const { inside, color } of layers) {
        let hits = 0;
        for (let sy = 0; sy < S; sy++)
          for (let sx = 0; sx < S; sx++) if (inside((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size)) hits++;
        const ca = (hits / (S * S)) * (color[3] / 255);
        // "over" compositing, premultiplied
        r = color[0] * ca + r * (1 - ca);
        g = color[1] * ca + g * (1 - ca);
        b = color[2] * ca + b * (1 - ca);
        a = ca + a * (1 - ca);
      }
      const i = (y * size + x) * 4;
      px[i] = a > 0 ? Math.round(r / a) : 0;
      px[i + 1] = a > 0 ? Math.round(g / a) : 0;
      px[i + 2] = a > 0 ? Math.round(b / a) : 0;
      px[i + 3] = Math.round(a * 255);
    }
  }
  return px;
}

const disc = (cx, cy, rad) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad;
const ring = (cx, cy, r0, r1) => (x, y) => {
  const d = (x - cx) ** 2 + (y - cy) ** 2;
  return d <= r1 * r1 && d >= r0 * r0;
};
const roundedSquare = (m, rad) => (x, y) => {
  const cx = Math.min(Math.max(x, m + rad), 1 - m - rad);
  const cy = Math.min(Math.max(y, m + rad), 1 - m - rad);
  return (x - cx) ** 2 + (y - cy) ** 2 <= rad * rad && x >= m && x <= 1 - m && y >= m && y <= 1 - m;
};

/** The tray states: a ring (the watch) with a centre that says how things are. */
const TRAY = {
  clear: [96, 186, 120, 255],
  open: [236, 168, 46, 255],
  ringing: [230, 64, 56, 255],
};

function trayIcon(size, color) {
  return render(size, [
    { inside: ring(0.5, 0.5, 0.34, 0.47), color },
    { inside: disc(0.5, 0.5, 0.22), color },
  ]);
}

function appIcon(size) {
  return render(size, [
    { inside: roundedSquare(0.06, 0.2), color: [17, 20, 24, 255] },
    { inside: ring(0.5, 0.5, 0.27, 0.35), color: [96, 186, 120, 255] },
    { inside: disc(0.5, 0.5, 0.14), color: [230, 64, 56, 255] },
  ]);
}

function write(rel, bytes) {
  const file = join(HERE, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, bytes);
}

for (const [state, color] of Object.entries(TRAY)) {
  write(`tray/${state}.png`, encodePng(16, trayIcon(16, color)));
  write(`tray/${state}@2x.png`, encodePng(32, trayIcon(32, color)));
}
write('icon.png', encodePng(512, appIcon(512)));
for (const size of [16, 32, 48, 64, 128, 256, 512]) write(`icons/${size}x${size}.png`, encodePng(size, appIcon(size)));
