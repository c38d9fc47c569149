import { DDSketch } from '@datadog/sketches-js';

/**
 * DDSketch (relative accuracy 1%) for latency quantiles, serialised as compact JSON text
 * (the store keeps it as UTF-8 in a BLOB).
 * Why not `toProto()`: it needs the optional `protobufjs` peer, which we do not ship; the bins
 * plus the summary fields are all a merge needs, and unlike fromProto we keep min/max.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;

interface SketchJson {
  v: 1;
  ra: number;
  /** [key, count] pairs of the positive store. */
  p: [number, number][];
  /** [key, count] pairs of the negative store. */
  n: [number, number][];
  z: number;
  sum: number;
  min: number | null;
  max: number | null;
}

export function newSketch(): DDSketch {
  return new DDSketch({ relativeAccuracy: SKETCH_RELATIVE_ACCURACY });
}

function bins(store: DDSketch['store']): [number, number][] {
  const out: [number, number][] = [];
  store.bins.forEach((c, i) => {
    if (c > 0) out.push([i + store.offset, c]);
  });
  return out;
}

export function encodeSketch(s: DDSketch): string {
  const json: SketchJson = {
    v: 1,
    ra: SKETCH_RELATIVE_ACCURACY,
    p: bins(s.store),
    n: bins(s.negativeStore),
    z: s.zeroCount,
    sum: s.sum,
    min: Number.isFinite(s.min) ? s.min : null,
    max: Number.isFinite(s.max) ? s.max : null,
  };
  return JSON.stringify(json);
}

export function decodeSketch(text: string): DDSketch {
  const json = JSON.parse(text) as SketchJson;
  if (json.v !== 1 || json.ra !== SKETCH_RELATIVE_ACCURACY) throw new Error(`unsupported sketch encoding v${json.v}`);
  const s = newSketch();
  for (const [k, c] of json.p) s.store.add(k, c);
  for (const [k, c] of json.n) s.negativeStore.add(k, c);
  s.zeroCount = json.z;
  s.count = s.store.count + s.negativeStore.count + s.zeroCount;
  s.sum = json.sum;
  s.min = json.min ?? Infinity;
  s.max = json.max ?? -Infinity;
  return s;
}
