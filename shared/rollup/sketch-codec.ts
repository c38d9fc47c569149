import { DDSketch } from '@datadog/sketches-js';

/**
 * DDSketch (relative accuracy 1%) for latency quantiles, serialised as compact JSON text
 * (the store keeps it as UTF-8 in a BLOB).
 * Why not `toProto()`: it needs the optional `protobufjs` peer, which we do not ship; the bins
 * plus the summary fields are all a merge needs, and unlike fromProto we keep min/max.
 * v2 writes each store densely (first key, then every count from there, zeros included):
 * latency bins are contiguous, so this is ~2-4 bytes a bin and a full minute stays far below 5 kB.
 * v1 ([key, count] pairs) is still read.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

interface SketchJsonV1 {
  v: 1;
  ra: number;
  p: [number, number][];
  n: [number, number][];
  z: number;
  sum: number;
  min: number | null;
  max: number | null;
}

interface SketchJsonV2 {
  v: 2;
  ra: number;
  /** Positive store: [firstKey, count, count, ...]; empty array when empty. */
  p: number[];
  /** Negative store, same layout. */
  n: number[];
  z: number;
  sum: number;
  min: number | null;
  max: number | null;
}

export function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
}

function dense(store: DDSketch['store']): number[] {
  if (store.count === 0) return [];
  const out: number[] = [store.minKey];
  for (let k = store.minKey; k <= store.maxKey; k++) out.push(store.bins[k - store.offset] ?? 0);
  return out;
}

function addDense(store: DDSketch['store'], d: readonly number[]): void {
  const first = d[0];
  if (first === undefined) return;
  for (let i = 1; i < d.length; i++) {
    const c = d[i] ?? 0;
    if (c > 0) store.add(first + i - 1, c);
  }
}

export function encodeSketch(s: DDSketch): string {
  const json: SketchJsonV2 = {
    v: 2,
    ra: SKETCH_RELATIVE_ACCURACY,
    p: dense(s.store),
    n: dense(s.negativeStore),
    z: s.zeroCount,
    sum: s.sum,
    min: Number.isFinite(s.min) ? s.min : null,
    max: Number.isFinite(s.max) ? s.max : null,
  };
  return JSON.stringify(json);
}

function parseSketch(text: string): SketchJsonV1 | SketchJsonV2 {
  const json = JSON.parse(text) as SketchJsonV1 | SketchJsonV2;
  if ((json.v !== 1 && json.v !== 2) || json.ra !== SKETCH_RELATIVE_ACCURACY) {
    throw new Error(`unsupported sketch encoding v${String(json.v)}`);
  }
  return json;
}

function fromJson(json: SketchJsonV1 | SketchJsonV2): DDSketch {
  const s = newSketch();
  if (json.v === 1) {
    for (const [k, c] of json.p) s.store.add(k, c);
    for (const [k, c] of json.n) s.negativeStore.add(k, c);
  } else {
    addDense(s.store, json.p);
    addDense(s.negativeStore, json.n);
  }
  s.zeroCount = json.z;
  s.count = s.store.count + s.negativeStore.count + s.zeroCount;
  s.sum = json.sum;
  s.min = json.min ?? Infinity;
  s.max = json.max ?? -Infinity;
  return s;
}

export function decodeSketch(text: string): DDSketch {
  return fromJson(parseSketch(text));
}

/** Sum of a dense store's counts as `addDense` would leave its `count` (zeros skipped, in order). */
function denseCount(d: readonly number[]): number {
  let n = 0;
  for (let i = 1; i < d.length; i++) {
    const c = d[i] ?? 0;
    if (c > 0) n += c;
  }
  return n;
}

/**
 * `into.merge(decodeSketch(text))` without building the decoded sketch (maintenance merges every
 * minute row of an hour into the hour's sketch): the bins are added to `into`'s store directly.
 * The same result: a DenseStore merge adds bin counts (integers, exact in any order) and extends
 * the key range to the same extent; the summary fields follow DDSketch.merge, quirks included
 * (an empty `into` takes a copy, negative store too; otherwise the negative store is not merged).
 */
export function mergeEncodedSketch(into: DDSketch, text: string): void {
  const json = parseSketch(text);
  if (json.v !== 2 || into.count === 0) {
    into.merge(fromJson(json));
    return;
  }
  const positive = denseCount(json.p);
  const count = positive + denseCount(json.n) + json.z;
  if (count === 0) return;
  if (positive > 0) addDense(into.store, json.p);
  into.zeroCount += json.z;
  into.count += count;
  into.sum += json.sum;
  const min = json.min ?? Infinity;
  const max = json.max ?? -Infinity;
  if (min < into.min) into.min = min;
  if (max > into.max) into.max = max;
}

/** A deep copy (merge into a fresh sketch). */
export function cloneSketch(s: DDSketch): DDSketch {
  const c = newSketch();
  if (s.count > 0) c.merge(s);
  return c;
}

/**
 * How many of the sketch's values lie above `value` (to the sketch's relative accuracy: a bin
 * counts when its key is above `value`'s key). Latency is never negative, so the negative store
 * and the zero bucket are never above a positive `value`.
 */
export function countAbove(sketch: DDSketch, value: number): number {
  const store = sketch.store;
  if (store.count === 0) return 0;
  const from = Math.max(store.minKey, sketch.mapping.key(value) + 1);
  let n = 0;
  for (let k = from; k <= store.maxKey; k++) n += store.bins[k - store.offset] ?? 0;
  return n;
}
