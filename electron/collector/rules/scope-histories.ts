import { HOUR_MS } from '../../../shared/clock.js';
import { addCounts, cloneAgg, type Agg } from '../../../shared/rollup/agg.js';
import type { MinuteBucket } from '../../../shared/rollup/bucket.js';
import { HISTORY_LIMITS, LATENCY_QUANTILE, ScopeHistory, type MinutePoint } from '../../../shared/rollup/history.js';
import { cloneSketch } from '../../../shared/rollup/sketch-codec.js';
import type { SeriesKey } from '../../../shared/rollup/window.js';
import {
  FLEET_SCOPE,
  providerScope,
  seriesScope,
  serviceScope,
  type Scope,
  type ScopeKind,
} from '../../../shared/rules/scope.js';
import type { HourBucket } from '../store/rollup-history-store.js';

interface Entry {
  scope: Scope;
  history: ScopeHistory;
  /** The runtime's rule-state keys for this scope, by window-rule index (see rule-runtime). */
  stateKeys: string[];
}

/**
 * The rule engine's memory: a ScopeHistory per series, per service, per provider and for the
 * fleet, fed one closed event-time minute at a time. Bounded: each history is a pair of rings,
 * and scopes with no data for longer than the hour ring are dropped.
 */
export class ScopeHistories {
  private readonly byKey = new Map<string, Entry>();
  /** The same entries by kind: every rule walks one kind every minute. */
  private readonly byKind = new Map<ScopeKind, Map<string, Entry>>();
  /** First minute each series was ever seen (survives eviction; tiny). */
  readonly seriesFirstSeen = new Map<string, { key: SeriesKey; firstSeen: number }>();

  get(scope: Scope): ScopeHistory {
    let e = this.byKey.get(scope.key);
    if (!e) {
      e = { scope, history: new ScopeHistory(), stateKeys: [] };
      this.byKey.set(scope.key, e);
      this.ofKind(scope.kind).set(scope.key, e);
    }
    return e.history;
  }

  /** The scopes of one kind (live view: do not add or evict while iterating). */
  entries(kind: ScopeKind): Iterable<Entry> {
    return this.ofKind(kind).values();
  }

  private ofKind(kind: ScopeKind): Map<string, Entry> {
    let m = this.byKind.get(kind);
    if (!m) {
      m = new Map();
      this.byKind.set(kind, m);
    }
    return m;
  }

  size(): number {
    return this.byKey.size;
  }

  /** Series scopes cached for reuse (bounded by the live series: evicted ones leave it too). */
  cachedSeriesScopes(): number {
    let n = 0;
    for (const byProvider of this.seriesScopes.values()) for (const byModel of byProvider.values()) n += byModel.size;
    return n;
  }

  /** Series scopes by service, provider, model: a bucket's scope without building its key every minute. */
  private readonly seriesScopes = new Map<string, Map<string, Map<string, Scope>>>();

  private seriesScopeOf(k: SeriesKey): Scope {
    let byProvider = this.seriesScopes.get(k.service);
    if (!byProvider) this.seriesScopes.set(k.service, (byProvider = new Map()));
    let byModel = byProvider.get(k.provider);
    if (!byModel) byProvider.set(k.provider, (byModel = new Map()));
    let scope = byModel.get(k.model);
    if (!scope) byModel.set(k.model, (scope = seriesScope(k)));
    return scope;
  }

  /** Drops an evicted series from the scope cache (it would otherwise hold every series ever seen). */
  private forgetSeriesScope(labels: Scope['labels']): void {
    const { service, provider, model } = labels;
    if (service === undefined || provider === undefined || model === undefined) return;
    const byProvider = this.seriesScopes.get(service);
    const byModel = byProvider?.get(provider);
    if (!byProvider || !byModel) return;
    byModel.delete(model);
    if (byModel.size === 0) byProvider.delete(provider);
    if (byProvider.size === 0) this.seriesScopes.delete(service);
  }

  /** Folds one closed minute (every series' bucket for it) into all scopes. */
  addMinute(minute: number, buckets: readonly MinuteBucket[]): void {
    const services = new Map<string, MinutePoint>();
    const providers = new Map<string, MinutePoint>();
    let fleet: MinutePoint | undefined;
    const fold = (into: Map<string, MinutePoint>, key: string, b: MinuteBucket): void => {
      const p = into.get(key);
      if (p) {
        addAggInto(p, b);
      } else {
        into.set(key, pointOf(b, minute, cloneSketch(b.latency)));
      }
    };
    for (const b of buckets) {
      if (b.count === 0) continue;
      const s = this.seriesScopeOf(b);
      if (!this.seriesFirstSeen.has(s.key))
        this.seriesFirstSeen.set(s.key, {
          key: { service: b.service, provider: b.provider, model: b.model },
          firstSeen: minute,
        });
      this.get(s).addMinute(pointOf(b, minute, b.latency));
      fold(services, b.service, b);
      fold(providers, b.provider, b);
      if (fleet) addAggInto(fleet, b);
      else fleet = pointOf(b, minute, cloneSketch(b.latency));
    }
    for (const [svc, p] of services) this.get(serviceScope(svc)).addMinute(p);
    for (const [prov, p] of providers) this.get(providerScope(prov)).addMinute(p);
    if (fleet) this.get(FLEET_SCOPE).addMinute(fleet);
  }

  /** Restart: folds hourly rows (oldest first) into all scopes as whole hours. */
  addHours(rows: readonly HourBucket[]): void {
    const byHour = new Map<number, HourBucket[]>();
    for (const r of rows) {
      const list = byHour.get(r.hour) ?? [];
      list.push(r);
      byHour.set(r.hour, list);
    }
    for (const [hour, list] of [...byHour].sort((a, b) => a[0] - b[0])) {
      const groups = new Map<string, { scope: Scope; rows: HourBucket[] }>();
      const add = (scope: Scope, r: HourBucket): void => {
        const g = groups.get(scope.key) ?? { scope, rows: [] };
        g.rows.push(r);
        groups.set(scope.key, g);
      };
      for (const r of list) {
        add(seriesScope(r), r);
        add(serviceScope(r.service), r);
        add(providerScope(r.provider), r);
        add(FLEET_SCOPE, r);
      }
      for (const g of groups.values()) {
        const [first, ...rest] = g.rows;
        if (!first) continue;
        const p: MinutePoint = { ...cloneAgg(first), minute: hour, latency: cloneSketch(first.latency) };
        for (const r of rest) addAggInto(p, r);
        const { minute: _m, latency, ...agg } = p;
        this.get(g.scope).addHour({
          ...agg,
          hour,
          ...(latency.count > 0 ? { p95Ms: latency.getValueAtQuantile(LATENCY_QUANTILE) } : {}),
        });
      }
    }
  }

  /** Drops scopes with no data since `before` whose rules are all quiet (`busy` says which are not). */
  evictIdle(before: number, busy: (scopeKey: string) => boolean): number {
    let n = 0;
    for (const [k, e] of this.byKey) {
      if (e.history.idleSince(before) && !busy(k)) {
        this.byKey.delete(k);
        this.byKind.get(e.scope.kind)?.delete(k);
        if (e.scope.kind === 'series') this.forgetSeriesScope(e.scope.labels);
        n++;
      }
    }
    return n;
  }
}

/** Default idle horizon: the hour ring's span (15 days). */
export const IDLE_EVICT_MS = HISTORY_LIMITS.hours * HOUR_MS;

/**
 * A minute point of `b`'s totals (a copy: the scopes fold into it): what
 * `{ ...cloneAgg(b), minute, latency }` built, without the intermediate object.
 */
function pointOf(b: Readonly<Agg>, minute: number, latency: MinutePoint['latency']): MinutePoint {
  const errorTypes: Record<string, number> = {};
  const outputLabels: Record<string, number> = {};
  addCounts(errorTypes, b.errorTypes);
  addCounts(outputLabels, b.outputLabels);
  // `0 +`: the same sums cloneAgg took (from an empty Agg).
  return {
    count: 0 + b.count,
    errors: 0 + b.errors,
    errorTypes,
    tokensIn: 0 + b.tokensIn,
    tokensOut: 0 + b.tokensOut,
    costUsd: 0 + b.costUsd,
    unpriced: 0 + b.unpriced,
    outputLabels,
    retrievalHits: 0 + b.retrievalHits,
    retrievalMisses: 0 + b.retrievalMisses,
    feedbackUp: 0 + b.feedbackUp,
    feedbackDown: 0 + b.feedbackDown,
    minute,
    latency,
  };
}

function addAggInto(p: MinutePoint, b: MinuteBucket | HourBucket): void {
  p.count += b.count;
  p.errors += b.errors;
  for (const k in b.errorTypes) p.errorTypes[k] = (p.errorTypes[k] ?? 0) + (b.errorTypes[k] ?? 0);
  p.tokensIn += b.tokensIn;
  p.tokensOut += b.tokensOut;
  p.costUsd += b.costUsd;
  p.unpriced += b.unpriced;
  for (const k in b.outputLabels) p.outputLabels[k] = (p.outputLabels[k] ?? 0) + (b.outputLabels[k] ?? 0);
  p.retrievalHits += b.retrievalHits;
  p.retrievalMisses += b.retrievalMisses;
  p.feedbackUp += b.feedbackUp;
  p.feedbackDown += b.feedbackDown;
  p.latency.merge(b.latency);
}
