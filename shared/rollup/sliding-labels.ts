import type { RingSlice } from './range-sum.js';

/**
 * The output-label counts of one window span as it slides along a ring (minutes or hours): each minute
 * the newest minute's labels are added and the ones that left the span removed, instead of
 * merging the span's 60 minutes again (output drift reads this for every service every minute).
 * Answers exactly what the newest-first walk (addCounts) answers: counts are integers (exact in
 * any order), a label is listed while any minute of the span lists it (even at 0), and in the
 * walk's key order: first appearance along the walk (from the newest minute; for hour sums,
 * from the oldest hour), which needs only a point or two (it stops once every label is placed).
 * Hour sums slide too: drift's 7-day reference moves by one closed hour an hour.
 */
export class SlidingLabels {
  /** The absolute ring indices [lo, hi) the counts cover. */
  private lo = 0;
  private hi = 0;
  private readonly counts = new Map<string, number>();
  /** How many minutes of the span list each label. */
  private readonly listed = new Map<string, number>();
  /** False once a count was not a safe integer: the caller walks instead. */
  private exact = true;

  /** The span's labels for the ring's [lo, hi), or undefined when only the walk is exact. */
  labels(ring: RingSlice, lo: number, hi: number): Record<string, number> | undefined {
    this.moveTo(ring, lo, hi);
    if (!this.exact) return undefined;
    const shifted = ring.shifted();
    const out: Record<string, number> = {};
    let placed = 0;
    // Key order: first appearance along the walk's order (minutes newest first, hours oldest first).
    const place = (i: number): void => {
      const p = ring.points[i - shifted];
      if (!p) return;
      for (const k in p.outputLabels) {
        if (Object.hasOwn(out, k)) continue;
        out[k] = this.counts.get(k) ?? 0;
        placed++;
      }
    };
    if (ring.newestFirst) for (let i = hi - 1; i >= lo && placed < this.listed.size; i--) place(i);
    else for (let i = lo; i < hi && placed < this.listed.size; i++) place(i);
    return out;
  }

  private moveTo(ring: RingSlice, lo: number, hi: number): void {
    const shifted = ring.shifted();
    // Slide when the old span's minutes are all still in the ring and the span only moved on.
    if (lo < this.lo || hi < this.hi || lo > this.hi || this.lo < shifted) {
      this.counts.clear();
      this.listed.clear();
      this.exact = true;
      this.lo = lo;
      this.hi = lo;
    }
    for (let i = this.hi; i < hi; i++) this.fold(ring.points[i - shifted]?.outputLabels, 1);
    for (let i = this.lo; i < lo; i++) this.fold(ring.points[i - shifted]?.outputLabels, -1);
    this.lo = lo;
    this.hi = hi;
  }

  private fold(labels: Readonly<Record<string, number>> | undefined, sign: 1 | -1): void {
    if (!labels) return;
    for (const k in labels) {
      const v = labels[k] ?? 0;
      const c = (this.counts.get(k) ?? 0) + sign * v;
      // A label named like an Object property ("constructor") made the walk's sum odd: walk then.
      if (!Number.isSafeInteger(v) || !Number.isSafeInteger(c) || k in Object.prototype) this.exact = false;
      const n = (this.listed.get(k) ?? 0) + sign;
      if (n === 0) {
        this.listed.delete(k);
        this.counts.delete(k);
      } else {
        this.listed.set(k, n);
        this.counts.set(k, c);
      }
    }
  }
}
