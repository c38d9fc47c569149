import { newSketch, SKETCH_RELATIVE_ACCURACY } from '../rollup/sketch-codec.js';

/**
 * The chart cache's form of a latency DDSketch: the bins as plain typed arrays, so merging a
 * bucket is array additions and a quantile is one walk over the bins — no JSON, no DDSketch
 * object per row. Quantiles equal DDSketch's `getValueAtQuantile` after the same merges (same
 * mapping, same rank rule; counts are integers, so summation order does not matter), which is
 * what keeps a cached chart identical to the collector's `GET /v1/series`.
 */
export interface DenseSketch {
  zero: number;
  sum: number;
  /** Infinity / -Infinity when empty, as in DDSketch. */
  min: number;
  max: number;
  /** Key of `pos[0]`; bins run densely from there. */
  posMin: number;
  pos: Bins;
  negMin: number;
  neg: Bins;
}

/** Counts per key; a view straight onto a stored blob when they are whole numbers. */
export type Bins = Float64Array | Uint32Array;

const MAPPING = newSketch().mapping;

function fail(message: string): never {
  throw new Error(`invalid latency sketch: ${message}`);
}

function finiteNumber(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${what} is not a finite number`);
  return v;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** v2 store: [firstKey, count, count, …]. Negative or zero counts hold nothing (DDSketch skips them too). */
function denseStore(v: unknown, what: string): { min: number; bins: Float64Array } {
  if (!Array.isArray(v)) fail(`${what} is not an array`);
  if (v.length === 0) return { min: 0, bins: new Float64Array(0) };
  const first = finiteNumber(v[0], `${what}[0]`);
  if (!Number.isInteger(first)) fail(`${what}[0] is not an integer key`);
  const bins = new Float64Array(v.length - 1);
  for (let i = 1; i < v.length; i++) bins[i - 1] = Math.max(0, finiteNumber(v[i], `${what}[${i}]`));
  return { min: first, bins };
}

/** v1 store: [[key, count], …] in any order. */
function pairStore(v: unknown, what: string): { min: number; bins: Float64Array } {
  if (!Array.isArray(v)) fail(`${what} is not an array`);
  const pairs: [number, number][] = v.map((p: unknown, i) => {
    if (!Array.isArray(p) || p.length !== 2) fail(`${what}[${i}] is not a [key, count] pair`);
    const k = finiteNumber(p[0], `${what}[${i}][0]`);
    if (!Number.isInteger(k)) fail(`${what}[${i}][0] is not an integer key`);
    return [k, Math.max(0, finiteNumber(p[1], `${what}[${i}][1]`))];
  });
  if (pairs.length === 0) return { min: 0, bins: new Float64Array(0) };
  const min = Math.min(...pairs.map((p) => p[0]));
  const max = Math.max(...pairs.map((p) => p[0]));
  if (max - min > 1_000_000) fail(`${what} spans too many keys`);
  const bins = new Float64Array(max - min + 1);
  for (const [k, c] of pairs) bins[k - min] = (bins[k - min] ?? 0) + c;
  return { min, bins };
}

/** Parses shared/rollup/sketch-codec's text encoding (v1 or v2). Throws on anything else. */
export function denseFromWire(text: string): DenseSketch {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail('not JSON');
  }
  if (!isObject(json)) fail('not an object');
  if (json.v !== 1 && json.v !== 2) fail(`unsupported encoding v${String(json.v)}`);
  if (json.ra !== SKETCH_RELATIVE_ACCURACY)
    fail(`relative accuracy ${String(json.ra)} is not ${SKETCH_RELATIVE_ACCURACY}`);
  const store = json.v === 1 ? pairStore : denseStore;
  const p = store(json.p, 'p');
  const n = store(json.n, 'n');
  return {
    zero: Math.max(0, finiteNumber(json.z, 'z')),
    sum: finiteNumber(json.sum, 'sum'),
    min: json.min === null ? Infinity : finiteNumber(json.min, 'min'),
    max: json.max === null ? -Infinity : finiteNumber(json.max, 'max'),
    posMin: p.min,
    pos: p.bins,
    negMin: n.min,
    neg: n.bins,
  };
}

// ---- blob: what the cache stores (8-byte header fields, then the bins) ----

const HEADER = 9;
const U32 = 1;
const F64 = 2;

function allU32(a: Bins): boolean {
  for (const c of a) if (!Number.isInteger(c) || c > 0xffff_ffff) return false;
  return true;
}

/**
 * Float64 header [format, zero, sum, min, max, posMin, posLen, negMin, negLen], then the bins:
 * as uint32 when every count is a whole number that fits (always, for latency sketches), else float64.
 */
export function encodeDenseBlob(s: DenseSketch): Uint8Array {
  const format = allU32(s.pos) && allU32(s.neg) ? U32 : F64;
  const bins = s.pos.length + s.neg.length;
  const buf = new ArrayBuffer(HEADER * 8 + bins * (format === U32 ? 4 : 8));
  new Float64Array(buf, 0, HEADER).set([
    format,
    s.zero,
    s.sum,
    s.min,
    s.max,
    s.posMin,
    s.pos.length,
    s.negMin,
    s.neg.length,
  ]);
  const body = format === U32 ? new Uint32Array(buf, HEADER * 8, bins) : new Float64Array(buf, HEADER * 8, bins);
  body.set(s.pos, 0);
  body.set(s.neg, s.pos.length);
  return new Uint8Array(buf);
}

export function decodeDenseBlob(bytes: Uint8Array): DenseSketch {
  // Typed views need 8-byte alignment; a driver's buffer may sit anywhere in its pool.
  const own = bytes.byteOffset % 8 === 0 ? bytes : new Uint8Array(bytes);
  if (own.byteLength < HEADER * 8) fail('blob too short');
  const h = new Float64Array(own.buffer, own.byteOffset, HEADER);
  const [format, zero, sum, min, max, posMin, posLen, negMin, negLen] = h as unknown as number[] as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const width = format === U32 ? 4 : format === F64 ? 8 : fail(`unknown blob format ${format}`);
  if (own.byteLength !== HEADER * 8 + (posLen + negLen) * width) fail('blob length does not match its header');
  const at = own.byteOffset + HEADER * 8;
  const view = (off: number, len: number): Bins =>
    width === 4 ? new Uint32Array(own.buffer, at + off * 4, len) : new Float64Array(own.buffer, at + off * 8, len);
  return { zero, sum, min, max, posMin, pos: view(0, posLen), negMin, neg: view(posLen, negLen) };
}

// ---- merging and quantiles ----

/** A growable run of bins keyed from `min`. */
class BinRun {
  min = 0;
  bins = new Float64Array(0);
  count = 0;

  add(min: number, src: Bins): void {
    if (src.length === 0) return;
    if (this.bins.length === 0) {
      this.min = min;
      this.bins = Float64Array.from(src);
    } else {
      const lo = Math.min(this.min, min);
      const hi = Math.max(this.min + this.bins.length, min + src.length);
      if (lo !== this.min || hi !== this.min + this.bins.length) {
        const grown = new Float64Array(hi - lo);
        grown.set(this.bins, this.min - lo);
        this.bins = grown;
        this.min = lo;
      }
      const off = min - this.min;
      const bins = this.bins;
      for (let i = 0; i < src.length; i++) bins[off + i] = (bins[off + i] as number) + (src[i] as number);
    }
    let n = 0;
    for (let i = 0; i < src.length; i++) n += src[i] as number;
    this.count += n;
  }

  /** DenseStore.keyAtRank, bin for bin. */
  keyAtRank(rank: number, lower: boolean): number {
    let running = 0;
    let last = this.min;
    for (let i = 0; i < this.bins.length; i++) {
      const c = this.bins[i] as number;
      if (c === 0) continue;
      running += c;
      last = this.min + i;
      if ((lower && running > rank) || (!lower && running >= rank + 1)) return last;
    }
    return last;
  }

  trimmed(): { min: number; bins: Float64Array } {
    let a = 0;
    let b = this.bins.length;
    while (a < b && this.bins[a] === 0) a++;
    while (b > a && this.bins[b - 1] === 0) b--;
    return { min: this.min + a, bins: this.bins.slice(a, b) };
  }
}

/** Merges dense sketches; `quantile` answers like DDSketch would for the merged sketch. */
export class SketchMerger {
  private readonly pos = new BinRun();
  private readonly neg = new BinRun();
  private zero = 0;
  private sum = 0;
  private min = Infinity;
  private max = -Infinity;

  add(s: DenseSketch): void {
    this.pos.add(s.posMin, s.pos);
    this.neg.add(s.negMin, s.neg);
    this.zero += s.zero;
    this.sum += s.sum;
    if (s.min < this.min) this.min = s.min;
    if (s.max > this.max) this.max = s.max;
  }

  get count(): number {
    return this.pos.count + this.neg.count + this.zero;
  }

  /** null when empty (a gap on the chart). */
  quantile(q: number): number | null {
    const count = this.count;
    if (count === 0 || q < 0 || q > 1) return null;
    const rank = q * (count - 1);
    if (rank < this.neg.count) return -MAPPING.value(this.neg.keyAtRank(this.neg.count - rank - 1, false));
    if (rank < this.zero + this.neg.count) return 0;
    return MAPPING.value(this.pos.keyAtRank(rank - this.zero - this.neg.count, true));
  }

  result(): DenseSketch {
    const p = this.pos.trimmed();
    const n = this.neg.trimmed();
    return {
      zero: this.zero,
      sum: this.sum,
      min: this.min,
      max: this.max,
      posMin: p.min,
      pos: p.bins,
      negMin: n.min,
      neg: n.bins,
    };
  }
}
