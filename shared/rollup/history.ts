import type { DDSketch } from '@datadog/sketches-js';
import { HOUR_MS, MINUTE_MS } from '../clock.js';
import { addAgg, cloneAgg, emptyAgg, type Agg } from './agg.js';
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
   * Sums already asked for since the rings last changed: in one minute's evaluation several rules
   * read the same window (error rate, drift, retrieval, feedback) and the same trailing hours.
   * Read-only to callers; cleared whenever a minute or an hour is added.
   */
  private readonly sums = new Map<string, Readonly<Agg>>();
  /**
   * Answers computed over closed hours only (trailing baselines: 24 h of p95s, 7 days of cost or
   * feedback), keyed by what and by the set of hours; those hours never change again, so the
   * answers are kept until the next hour opens instead of being recomputed every minute.
   */
  private readonly closed = new Map<string, unknown>();

  constructor(private readonly limits: { minutes: number; hours: number } = HISTORY_LIMITS) {}

  /** Appends a closed minute (must be newer than the last). The point is kept, not copied. */
  addMinute(p: MinutePoint): void {
    if (this.lastSeen !== undefined && p.minute <= this.lastSeen) return;
    this.firstSeen ??= p.minute;
    this.lastSeen = p.minute;
    this.sums.clear();
    this.minutes.push(p);
    if (this.minutes.length > this.limits.minutes) this.minutes.shift();
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
    this.sums.clear();
    this.pushHour(p);
  }

  private pushHour(p: HourPoint): void {
    this.closed.clear();
    this.hours.push(p);
    if (this.hours.length > this.limits.hours) this.hours.shift();
  }

  /** Totals of the minutes in (end - spanMs, end] (shared: do not modify). */
  window(end: number, spanMs: number): Readonly<Agg> {
    return this.memo(`m${end}/${spanMs}`, () => {
      const from = end - spanMs + MINUTE_MS;
      const out = emptyAgg();
      for (let i = this.minutes.length - 1; i >= 0; i--) {
        const m = this.minutes[i];
        if (!m || m.minute < from) break;
        if (m.minute <= end) addAgg(out, m);
      }
      return out;
    });
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
    const compute = (): Agg => {
      const out = emptyAgg();
      for (const h of this.hours) if (h.hour >= from && h.hour + HOUR_MS <= end) addAgg(out, h);
      return out;
    };
    return this.closedBefore(end)
      ? this.overClosedHours('sum', from, end, compute)
      : this.memo(`h${from}/${end}`, compute);
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
    const key = `${what}|${Math.ceil(from / HOUR_MS)}|${Math.floor(end / HOUR_MS)}`;
    if (this.closed.has(key)) return this.closed.get(key) as T;
    const v = compute();
    this.closed.set(key, v);
    return v;
  }

  private memo(key: string, compute: () => Agg): Readonly<Agg> {
    let sum = this.sums.get(key);
    if (!sum) {
      sum = compute();
      this.sums.set(key, sum);
    }
    return sum;
  }

  /** True when nothing newer than `before` is held: the scope can be dropped from memory. */
  idleSince(before: number): boolean {
    return this.lastSeen === undefined || this.lastSeen < before;
  }
}
