/**
 * Seeded randomness for the traffic simulator. Every second of simulated time gets its own
 * generator derived from (seed, stream, slot), so `generate(a, c)` equals `generate(a, b)` +
 * `generate(b, c)` and a run is reproducible no matter how the live loop chunks time.
 */

/** A uniform source on [0, 1). */
export type Rng = () => number;

/** A 32-bit avalanche mix (lowbias32): nearby inputs give unrelated outputs. */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** Seed for one (stream, slot) pair; streams keep base traffic independent of scenario effects. */
export function seedFor(seed: number, stream: number, slot: number): number {
  // The slot may exceed 2^32 in theory (ms-scale callers); fold the high part in so it still mixes.
  const hi = Math.floor(slot / 4294967296);
  return mix32(mix32(mix32(seed ^ mix32(stream + 0x9e3779b9)) ^ (slot >>> 0)) ^ hi);
}

/** mulberry32: tiny, fast, good enough for synthetic telemetry (not for cryptography). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function rngFor(seed: number, stream: number, slot: number): Rng {
  return mulberry32(seedFor(seed, stream, slot));
}

/** Standard normal from two uniforms (Box–Muller). */
export function normalFrom(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
}

/** Both normals of one Box–Muller transform. */
export function normalPair(u1: number, u2: number): [number, number] {
  const r = Math.sqrt(-2 * Math.log(1 - u1));
  const a = 2 * Math.PI * u2;
  return [r * Math.cos(a), r * Math.sin(a)];
}

export function standardNormal(rng: Rng): number {
  return normalFrom(rng(), rng());
}

/** Log-normal parametrised by its median, which is how latency and token budgets are usually quoted. */
export function logNormal(rng: Rng, median: number, sigma: number): number {
  return median * Math.exp(sigma * standardNormal(rng));
}

/** Poisson count: Knuth's product method for small means, a normal approximation beyond. */
export function poisson(rng: Rng, lambda: number): number {
  if (lambda <= 0) return 0;
  if (lambda > 30) {
    return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * standardNormal(rng)));
  }
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}

/** Binomial by direct trials; used only for eval runs (a few hundred items, a few per hour). */
export function binomial(rng: Rng, n: number, p: number): number {
  let k = 0;
  for (let i = 0; i < n; i++) if (rng() < p) k++;
  return k;
}

export interface Weighted<T> {
  value: T;
  weight: number;
}

/** Picks by weight using a uniform `u` the caller already drew (keeps draw counts fixed). */
export function pickWeighted<T>(items: readonly Weighted<T>[], u: number): T {
  let total = 0;
  for (const it of items) total += it.weight;
  let x = u * total;
  for (const it of items) {
    x -= it.weight;
    if (x < 0) return it.value;
  }
  const last = items[items.length - 1];
  if (!last) throw new Error('pickWeighted: empty list');
  return last.value;
}

const HEX = '0123456789abcdef';

export function hexId(rng: Rng, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += HEX[Math.floor(rng() * 16)];
  return s;
}
