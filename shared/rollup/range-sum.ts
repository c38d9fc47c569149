import { addCounts, type Agg } from './agg.js';
/** A minute or an hour of a scope: what the rings hold. */
type Point = Agg;

/**
 * The integer counters of a minute. ScopeHistory keeps their running totals, so a window's
 * counters are two subtractions instead of a walk over its minutes: integer sums are exact in
 * any order (while below 2^53), so this answers bit for bit what the walk did.
 */
export const COUNTERS = [
  'count',
  'errors',
  'unpriced',
  'retrievalHits',
  'retrievalMisses',
  'feedbackUp',
  'feedbackDown',
] as const;

/** Where a range's points are: `points[i - shifted()]` for absolute indices lo <= i < hi. */
export interface RingSlice {
  /** The live ring (minutes or hours). */
  readonly points: readonly Point[];
  /** How many points have left the ring so far. */
  shifted(): number;
  /**
   * The order the straightforward sums walk it in: minute windows newest first, hour sums oldest
   * first (the float sums and the maps' key order follow it).
   */
  readonly newestFirst: boolean;
  /** Changes whenever a point of the ring changes in place (the open hour takes a minute). */
  version?(): number;
}

/**
 * Totals of a range of a ring (a window of minutes, a span of closed hours), as ScopeHistory's
 * window and sumHours answer them. The counters are
 * computed when it is made (from the running totals); the rest (cost, tokens, the error-type and
 * output-label maps) only when read, by the same walk as before (in the ring's order), so their float
 * sums and their maps' key order are unchanged (the drift tests iterate those keys and sum
 * floats in that order). Most minutes, most rules read counters only: error rate and rate shifts
 * count, drift alone reads labels. Valid until its oldest minute leaves the ring (the runtime
 * reads windows within one minute's evaluation; a later read fails loudly, never wrongly).
 * `labels`, when given, answers `outputLabels` instead of the walk (a sliding window's).
 */
export class RangeSum implements Agg {
  readonly count: number;
  readonly errors: number;
  readonly unpriced: number;
  readonly retrievalHits: number;
  readonly retrievalMisses: number;
  readonly feedbackUp: number;
  readonly feedbackDown: number;
  private tokensInSum: number | undefined;
  private tokensOutSum: number | undefined;
  private costSum: number | undefined;
  private errorTypeMap: Record<string, number> | undefined;
  private labelMap: Record<string, number> | undefined;

  constructor(
    private readonly ring: RingSlice,
    private readonly lo: number,
    private readonly hi: number,
    /** The counters' running totals after the range and before it, in COUNTERS order. */
    after: ArrayLike<number>,
    before: ArrayLike<number>,
    private readonly labels?: { labelsOf(lo: number, hi: number, span: number): Record<string, number> | undefined },
    /** Which sliding window `labels` keeps for this range (its span). */
    private readonly labelSpan = 0,
    /** Set when the range holds a point that may still change (the open hour): its ring version then. */
    private readonly stamp?: number,
  ) {
    this.count = (after[0] ?? 0) - (before[0] ?? 0);
    this.errors = (after[1] ?? 0) - (before[1] ?? 0);
    this.unpriced = (after[2] ?? 0) - (before[2] ?? 0);
    this.retrievalHits = (after[3] ?? 0) - (before[3] ?? 0);
    this.retrievalMisses = (after[4] ?? 0) - (before[4] ?? 0);
    this.feedbackUp = (after[5] ?? 0) - (before[5] ?? 0);
    this.feedbackDown = (after[6] ?? 0) - (before[6] ?? 0);
  }

  get tokensIn(): number {
    return (this.tokensInSum ??= this.sumField('tokensIn'));
  }

  get tokensOut(): number {
    return (this.tokensOutSum ??= this.sumField('tokensOut'));
  }

  get costUsd(): number {
    return (this.costSum ??= this.sumField('costUsd'));
  }

  get errorTypes(): Record<string, number> {
    return (this.errorTypeMap ??= this.mergeField('errorTypes'));
  }

  get outputLabels(): Record<string, number> {
    // A sliding window's labels when it keeps them (undefined: only the walk is exact).
    if (this.labelMap === undefined) {
      this.checkFresh();
      this.labelMap = this.labels?.labelsOf(this.lo, this.hi, this.labelSpan) ?? this.mergeField('outputLabels');
    }
    return this.labelMap;
  }

  /** A late read fails loudly rather than answer from points that have moved on. */
  private checkFresh(): void {
    if (this.lo < this.ring.shifted() && this.hi > this.lo)
      throw new Error('RangeSum read after its points left the ring (read windows within the minute)');
    if (this.stamp !== undefined && this.stamp !== this.ring.version?.())
      throw new Error('RangeSum read after its open hour changed (read sums within the minute)');
  }

  /** Calls `visit` on the range's points in the ring's order (the order the sums were always taken in). */
  private walk(visit: (p: Point) => void): void {
    this.checkFresh();
    const shifted = this.ring.shifted();
    const pts = this.ring.points;
    if (this.ring.newestFirst) {
      for (let i = this.hi - 1; i >= this.lo; i--) {
        const p = pts[i - shifted];
        if (p) visit(p);
      }
    } else {
      for (let i = this.lo; i < this.hi; i++) {
        const p = pts[i - shifted];
        if (p) visit(p);
      }
    }
  }

  /** One float field summed in the ring's order, alone (cost-anomaly reads the cost of a window every minute). */
  private sumField(field: 'tokensIn' | 'tokensOut' | 'costUsd'): number {
    let sum = 0;
    this.walk((p) => {
      sum += p[field];
    });
    return sum;
  }

  /** One map field merged in the ring's order, alone (provider down reads error types, drift labels). */
  private mergeField(field: 'errorTypes' | 'outputLabels'): Record<string, number> {
    const out: Record<string, number> = {};
    this.walk((p) => addCounts(out, p[field]));
    return out;
  }
}
