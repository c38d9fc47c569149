import type { DDSketch } from '@datadog/sketches-js';
import { HOUR_MS, MINUTE_MS } from '../clock.js';
import { addAgg, cloneAgg, emptyAgg, type Agg } from './agg.js';
import { COUNTERS, RangeSum } from './range-sum.js';
import { SlidingLabels } from './sliding-labels.js';
import { cloneSketch, newSketch } from './sketch-codec.js';

/** One evaluated event-time minute of a scope (a series, a service, a provider). */
export interface MinutePoint extends Agg {
  minute: number;
  latency: DDSketch;
}

/** One event-time hour of a scope; `p95Ms` is set once the hour has samples. */
export interface HourPoint extends Agg {
  hour: number;
  p95Ms?: number;
}

export const LATENCY_QUANTILE = 0.95;

/** How much history a scope keeps in memory: enough for every rule's window and baseline. */
export const HISTORY_LIMITS = {
  /** Sliding windows are at most an hour; two leave room for the lateness allowance. */
  minutes: 120,
  /** Week-over-week rules compare the last 7 days with the 7 before: 15 days of hours. */
  hours: 15 * 24,
} as const;

/**
 * The rule engine's memory of one scope, fed minute by minute in event-time order as minutes
 * close. Bounded: the newest `HISTORY_LIMITS.minutes` minutes (with sketches) and
 * `HISTORY_LIMITS.hours` hours (with their p95, without sketches). Pure data, no I/O.
 */
export class ScopeHistory {
  readonly minutes: MinutePoint[] = [];
  readonly hours: HourPoint[] = [];
  /** Merged sketch of the newest (still open) hour, for its p95. */
  private hourSketch: DDSketch | undefined;
  /** First minute with data ever seen (survives the rings). */
  firstSeen: number | undefined;
  lastSeen: number | undefined;
  /**
   * Running totals of the integer COUNTERS over every minute ever added, and, per minute of the
   * ring, those totals before it: a window's counters are `after - before` (see RangeSum).
   */
  private readonly total = new Float64Array(COUNTERS.length);
  private readonly before: (readonly number[])[] = [];
  /** Minutes that have left the ring (absolute index of `minutes[0]`). */
  private evicted = 0;
  /**
   * False once a counter was not a safe integer (never, for counts): the running totals would
   * then not be exact, and windows are summed minute by minute as before.
   */
  private exactCounters = true;
  /**
   * Windows already asked for at `windowsEnd`, by span: in one minute's evaluation several rules
   * read the same window (error rate, drift, retrieval, feedback). Cleared whenever a minute or
   * an hour is added.
   */
  private readonly windows = new Map<number, Readonly<Agg>>();
  private windowsEnd = NaN;
  /** Open-hour sums already asked for since the rings last changed, by "from/end". */
  private readonly sums = new Map<string, Readonly<Agg>>();
  /**
   * Answers computed over closed hours only (trailing baselines: 24 h of p95s, 7 days of cost or
   * feedback), keyed by what, then by the first and last hour; those hours never change again,
   * so the answers are kept until the next hour opens instead of being recomputed every minute.
   * Nested maps, not one string key: the lookup runs for every scope and rule every minute.
   */
  private readonly closed = new Map<string, Map<number, Map<number, unknown>>>();
  /**
   * Incremental state the rules keep about this scope between minutes (the rate-shift CUSUM),
   * by what it is; dropped with the scope. The owner checks it still fits the ring (`firstIndex`).
   */
  readonly scratch = new Map<string, unknown>();
  private readonly ring = { points: this.minutes, shifted: (): number => this.evicted, newestFirst: true };
  /** The same for the hour ring: totals of the counters over the hours before each (set as it is pushed). */
  private readonly hourBefore: Float64Array[] = [];
  private hoursEvicted = 0;
  private exactHourCounters = true;
  /** Minutes and hours added so far: the open hour changes with each. */
  private added = 0;
  private readonly hourRing = {
    points: this.hours,
    shifted: (): number => this.hoursEvicted,
    newestFirst: false,
    version: (): number => this.added,
  };
  /** Output labels of the windows ending at the newest minute, by span, slid minute by minute. */
  private readonly labelWindows = new Map<number, SlidingLabels>();
  /** The same for closed-hour sums (drift's reference), by span; kept across hours. */
  private readonly hourLabelWindows = new Map<number, SlidingLabels>();
  private readonly hourLabels = {
    labelsOf: (lo: number, hi: number, span: number): Record<string, number> | undefined => {
      let s = this.hourLabelWindows.get(span);
      if (!s) {
        s = new SlidingLabels();
        this.hourLabelWindows.set(span, s);
      }
      return s.labels(this.hourRing, lo, hi);
    },
  };

  constructor(private readonly limits: { minutes: number; hours: number } = HISTORY_LIMITS) {}

  /** Absolute index of `minutes[0]`: how many minutes have left the ring. */
  get firstIndex(): number {
    return this.evicted;
  }

  /** Appends a closed minute (must be newer than the last). The point is kept, not copied. */
  addMinute(p: MinutePoint): void {
    if (this.lastSeen !== undefined && p.minute <= this.lastSeen) return;
    this.firstSeen ??= p.minute;
    this.lastSeen = p.minute;
    this.changed();
    this.added++;
    // A plain array: cheaper to allocate than a typed one (one per scope per minute).
    this.before.push(Array.from(this.total));
    for (let i = 0; i < COUNTERS.length; i++) {
      const v = p[COUNTERS[i] as (typeof COUNTERS)[number]];
      const t = (this.total[i] ?? 0) + v;
      if (!Number.isSafeInteger(v) || !Number.isSafeInteger(t)) this.exactCounters = false;
      this.total[i] = t;
    }
    this.minutes.push(p);
    if (this.minutes.length > this.limits.minutes) {
      this.minutes.shift();
      this.before.shift();
      this.evicted++;
    }
    const hour = Math.floor(p.minute / HOUR_MS) * HOUR_MS;
    const last = this.hours[this.hours.length - 1];
    if (last && last.hour === hour) {
      addAgg(last, p);
      this.hourSketch ??= newSketch();
      this.hourSketch.merge(p.latency);
      last.p95Ms = this.hourSketch.getValueAtQuantile(LATENCY_QUANTILE);
    } else {
      this.hourSketch = cloneSketch(p.latency);
      this.pushHour({
        ...cloneAgg(p),
        hour,
        ...(p.latency.count > 0 ? { p95Ms: this.hourSketch.getValueAtQuantile(LATENCY_QUANTILE) } : {}),
      });
    }
  }

  /** Appends a whole past hour (restart: rows from the hourly table). */
  addHour(p: HourPoint): void {
    const last = this.hours[this.hours.length - 1];
    if (last && p.hour <= last.hour) return;
    this.firstSeen ??= p.hour;
    this.lastSeen = Math.max(this.lastSeen ?? p.hour, p.hour + HOUR_MS - MINUTE_MS);
    this.hourSketch = undefined;
    this.changed();
    this.added++;
    this.pushHour(p);
  }

  private pushHour(p: HourPoint): void {
    this.closed.clear();
    // The hour before this one is final now: the running totals move past it.
    const prev = this.hours[this.hours.length - 1];
    const before = new Float64Array(COUNTERS.length);
    const prevBefore = this.hourBefore[this.hourBefore.length - 1];
    if (prev && prevBefore) {
      for (let i = 0; i < COUNTERS.length; i++) {
        const v = prev[COUNTERS[i] as (typeof COUNTERS)[number]];
        const t = (prevBefore[i] ?? 0) + v;
        if (!Number.isSafeInteger(v) || !Number.isSafeInteger(t)) this.exactHourCounters = false;
        before[i] = t;
      }
    }
    this.hours.push(p);
    this.hourBefore.push(before);
    if (this.hours.length > this.limits.hours) {
      this.hours.shift();
      this.hourBefore.shift();
      this.hoursEvicted++;
    }
  }

  private changed(): void {
    if (this.sums.size > 0) this.sums.clear();
    if (this.windows.size > 0) this.windows.clear();
    this.windowsEnd = NaN;
  }

  /** Totals of the minutes in (end - spanMs, end] (shared: do not modify; read it within the minute). */
  window(end: number, spanMs: number): Readonly<Agg> {
    if (end !== this.windowsEnd) {
      this.windows.clear();
      this.windowsEnd = end;
    }
    let w = this.windows.get(spanMs);
    if (!w) {
      w = this.exactCounters
        ? this.windowOf(end - spanMs + MINUTE_MS, end)
        : this.walkWindow(end - spanMs + MINUTE_MS, end);
      this.windows.set(spanMs, w);
    }
    return w;
  }

  /** The window from the running totals: the ring is sorted, so its minutes are one index range. */
  private windowOf(from: number, end: number): RangeSum {
    const pts = this.minutes;
    const n = pts.length;
    // The usual window ends at (or after) the newest minute and its minutes are consecutive:
    // check that guess before searching.
    const hi = n > 0 && (pts[n - 1]?.minute ?? Infinity) <= end ? n : firstIndexAbove(pts, end);
    const guess = hi - Math.round((end - from) / MINUTE_MS) - 1;
    const lo =
      guess >= 0 &&
      guess < hi &&
      (pts[guess]?.minute ?? -Infinity) >= from &&
      (pts[guess - 1]?.minute ?? -Infinity) < from
        ? guess
        : Math.min(hi, firstIndexFrom(pts, from));
    // An empty range: the same totals on both sides (0 - 0 is 0).
    const a = hi > lo ? (this.before[lo] ?? NO_COUNTS) : NO_COUNTS;
    const b = hi > lo ? ((hi < n ? this.before[hi] : this.total) ?? NO_COUNTS) : NO_COUNTS;
    // A window ending at the newest minute slides: its labels are kept, not merged again.
    return new RangeSum(this.ring, this.evicted + lo, this.evicted + hi, b, a, hi === n ? this : undefined, end - from);
  }

  /** RangeSum's label source: the labels of the window [lo, hi) of `span`, ending at the newest minute. */
  labelsOf(lo: number, hi: number, span: number): Record<string, number> | undefined {
    let s = this.labelWindows.get(span);
    if (!s) {
      s = new SlidingLabels();
      this.labelWindows.set(span, s);
    }
    return s.labels(this.ring, lo, hi);
  }

  /** The straightforward sum, newest minute first (what `windowOf` must equal). */
  walkWindow(from: number, end: number): Agg {
    const out = emptyAgg();
    for (let i = this.minutes.length - 1; i >= 0; i--) {
      const m = this.minutes[i];
      if (!m || m.minute < from) break;
      if (m.minute <= end) addAgg(out, m);
    }
    return out;
  }

  /** The merged latency sketch of the minutes in (end - spanMs, end]. */
  latency(end: number, spanMs: number): DDSketch {
    const from = end - spanMs + MINUTE_MS;
    const out = newSketch();
    for (let i = this.minutes.length - 1; i >= 0; i--) {
      const m = this.minutes[i];
      if (!m || m.minute < from) break;
      if (m.minute <= end) out.merge(m.latency);
    }
    return out;
  }

  /** Hours that ENDED at or before `end` and started at or after `from`. */
  hoursBetween(from: number, end: number): HourPoint[] {
    const out: HourPoint[] = [];
    for (const h of this.hours) if (h.hour >= from && h.hour + HOUR_MS <= end) out.push(h);
    return out;
  }

  /** Sum of the hours that ended at or before `end` and started at or after `from` (shared: do not modify). */
  sumHours(from: number, end: number): Readonly<Agg> {
    if (this.closedBefore(end))
      return this.overClosedHours('sum', from, end, () =>
        this.exactHourCounters ? this.closedHoursOf(from, end) : this.addHours(from, end),
      );
    const key = `${from}/${end}`;
    let sum = this.sums.get(key);
    if (!sum) {
      sum = (this.exactHourCounters && this.openHoursOf(from, end)) || this.addHours(from, end);
      this.sums.set(key, sum);
    }
    return sum;
  }

  /** sumHours over closed hours from the running totals (as `windowOf` for minutes). */
  private closedHoursOf(from: number, end: number): RangeSum {
    const hs = this.hours;
    const lo = searchHours(hs, (hour) => hour >= from);
    const hi = Math.max(
      lo,
      searchHours(hs, (hour) => hour + HOUR_MS > end),
    );
    // Closed: the open (newest) hour is never in range, so every `hourBefore` needed is set.
    const a = hi > lo ? (this.hourBefore[lo] ?? NO_COUNTS) : NO_COUNTS;
    const b = hi > lo ? (this.hourBefore[hi] ?? NO_COUNTS) : NO_COUNTS;
    return new RangeSum(
      this.hourRing,
      this.hoursEvicted + lo,
      this.hoursEvicted + hi,
      b,
      a,
      this.hourLabels,
      end - from,
    );
  }

  /**
   * sumHours over a span that may hold the open hour (the weekly rules, at the hour's close): the
   * open hour's counters are added to the totals before it now, so the sum must be read before
   * the next minute arrives (it fails loudly otherwise). Undefined when those are not exact.
   */
  private openHoursOf(from: number, end: number): RangeSum | undefined {
    const hs = this.hours;
    const lo = searchHours(hs, (hour) => hour >= from);
    const hi = Math.max(
      lo,
      searchHours(hs, (hour) => hour + HOUR_MS > end),
    );
    if (hi < hs.length || hi <= lo) return this.closedHoursOf(from, end);
    const a = hi > lo ? (this.hourBefore[lo] ?? NO_COUNTS) : NO_COUNTS;
    const open = hs[hs.length - 1];
    const beforeOpen = this.hourBefore[hs.length - 1];
    if (!open || !beforeOpen) return undefined;
    const b = new Float64Array(COUNTERS.length);
    for (let i = 0; i < COUNTERS.length; i++) {
      const t = (beforeOpen[i] ?? 0) + open[COUNTERS[i] as (typeof COUNTERS)[number]];
      if (!Number.isSafeInteger(t)) return undefined;
      b[i] = t;
    }
    return new RangeSum(this.hourRing, this.hoursEvicted + lo, this.hoursEvicted + hi, b, a, undefined, 0, this.added);
  }

  /** The straightforward sum of hours, oldest first (what `closedHoursOf` must equal). */
  addHours(from: number, end: number): Agg {
    const out = emptyAgg();
    for (const h of this.hours) if (h.hour >= from && h.hour + HOUR_MS <= end) addAgg(out, h);
    return out;
  }

  /** True when every hour ending at or before `end` is closed: the newest hour held does not end by then. */
  private closedBefore(end: number): boolean {
    const last = this.hours[this.hours.length - 1];
    return last !== undefined && end < last.hour + HOUR_MS;
  }

  /**
   * `compute()` over the hours in [from, end) (as `hoursBetween` picks them), memoised while those
   * hours are all closed (before the newest hour held, which may still be filling); `what` names
   * the computation and its parameters. Undefined-valued answers are cached too.
   */
  overClosedHours<T>(what: string, from: number, end: number, compute: () => T): T {
    if (!this.closedBefore(end)) return compute();
    let byFrom = this.closed.get(what);
    if (!byFrom) {
      byFrom = new Map();
      this.closed.set(what, byFrom);
    }
    const first = Math.ceil(from / HOUR_MS);
    let byEnd = byFrom.get(first);
    if (!byEnd) {
      byEnd = new Map();
      byFrom.set(first, byEnd);
    }
    const last = Math.floor(end / HOUR_MS);
    if (byEnd.has(last)) return byEnd.get(last) as T;
    const v = compute();
    byEnd.set(last, v);
    return v;
  }

  /** True when nothing newer than `before` is held: the scope can be dropped from memory. */
  idleSince(before: number): boolean {
    return this.lastSeen === undefined || this.lastSeen < before;
  }
}

const NO_COUNTS = new Float64Array(COUNTERS.length);

/** The index of the first point whose minute is above `t` (points sorted by minute). */
function firstIndexAbove(points: readonly MinutePoint[], t: number): number {
  return firstPast(points, (p) => p.minute > t);
}

/** The index of the first point whose minute is `t` or later. */
function firstIndexFrom(points: readonly MinutePoint[], t: number): number {
  return firstPast(points, (p) => p.minute >= t);
}

/** The first index of the hour ring whose hour passes `past`. */
function searchHours(hours: readonly HourPoint[], past: (hour: number) => boolean): number {
  return firstPast(hours, (h) => past(h.hour));
}

/** The first index whose point passes `past` (false, then true, along a sorted ring). */
function firstPast<T>(points: readonly T[], past: (point: T) => boolean): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const p = points[mid];
    if (p === undefined || past(p)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
