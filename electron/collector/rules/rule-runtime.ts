import { DAY_MS, HOUR_MS, MINUTE_MS, minuteFloor, type Clock } from '../../../shared/clock.js';
import type { CollectorConfig } from '../../../shared/config/collector-config.js';
import type { LlmEvent } from '../../../shared/protocol/events.js';
import type { MinuteBucket } from '../../../shared/rollup/bucket.js';
import { seriesKeyString } from '../../../shared/rollup/window.js';
import { EVAL_ACCURACY_RULE_ID, evalAccuracyCheck, type EvalRun } from '../../../shared/rules/eval-accuracy.js';
import { NOVEL_ERROR_RULE_ID } from '../../../shared/rules/novel-error.js';
import type { Scope } from '../../../shared/rules/scope.js';
import { INACTIVE, step, type RuleState, type Timing } from '../../../shared/rules/state-machine.js';
import type { WindowRule } from '../../../shared/rules/window-rule.js';
import type { AlertService } from '../alerts/alert-service.js';
import { EventTimeGuard } from '../ingest/event-time.js';
import type { Metrics } from '../metrics.js';
import type { CollectorStore } from '../store/store.js';
import { RULE_IDS, remediationOf, windowRules, type RuleId } from './catalog.js';
import { NovelErrorTracker } from './novel-errors.js';
import { RuleAlerts, type FiredListener } from './rule-alerts.js';
import { IDLE_EVICT_MS, ScopeHistories } from './scope-histories.js';
import { hourlyRules } from './weekly-rules.js';

/** An inactive series that reappears after a long gap only re-evaluates this far back. */
const MAX_CATCH_UP_MS = 7 * DAY_MS;
/**
 * The most minutes one run walks, whatever the data says (issue 11: one far-future event made
 * the walk endless). Older minutes are skipped: they stay in the rollups, counted as late.
 */
export const MAX_MINUTES_PER_RUN = MAX_CATCH_UP_MS / MINUTE_MS;
/** Scopes with no data this long (and quiet rules) are skipped: no window rule can be true. */
const SKIP_IDLE_MS = 2 * HOUR_MS;
const CURSOR_META = 'rules_cursor';
/** Per suite, the ts of the newest eval run already judged. */
const EVAL_CURSOR_META = 'eval_rules_cursor';

export interface RuleRuntimeOptions {
  clock: Clock;
  log?: (msg: string) => void;
  /**
   * The ingest doors' clock check (one ceiling for the whole collector): events beyond it are
   * never held or evaluated, and the watermark itself never passes the clock.
   */
  eventTime?: EventTimeGuard;
  /** `ingest.maxFutureSkew`, when no `eventTime` is given (tests). */
  maxFutureSkewMs?: number;
  /** `defaults.timeZone`: the calendar of the baselines (same hour, same kind of day). */
  timeZone?: string;
  /** Rules beyond the catalog (tests: a rule whose check throws must not halt the others). */
  extraRules?: readonly WindowRule[];
}

/** A batch that just committed: the buckets it touched and its events (for error signatures). */
export interface CommittedBatch {
  buckets: readonly MinuteBucket[];
  events: readonly LlmEvent[];
}

function stateKey(ruleId: string, scopeKey: string): string {
  return `${ruleId}\n${scopeKey}`;
}

/** stateKey of the r-th window rule on a scope, built once per scope (not every minute). */
function ruleStateKey(entry: { scope: Scope; stateKeys: string[] }, r: number, ruleId: string): string {
  return (entry.stateKeys[r] ??= stateKey(ruleId, entry.scope.key));
}

/**
 * Runs the whole catalog over event-time minutes. The watermark is the newest event time seen,
 * never past the collector's clock (issue 11), minus `allowedLateness`; every minute up to it is evaluated once, in order, for every scope
 * (series, service, provider, fleet), so backfilled history evaluates minute by minute on
 * ingest exactly like live traffic. When live ingest goes quiet, `tick()` advances the
 * watermark with the wall clock so firing alerts still resolve.
 */
export class RuleRuntime {
  private readonly histories = new ScopeHistories();
  private readonly rules: WindowRule[];
  private readonly states = new Map<string, RuleState>();
  private readonly dirty = new Set<string>();
  /** Buckets of minutes not yet evaluated: minute → series key → bucket. */
  private readonly open = new Map<number, Map<string, MinuteBucket>>();
  private cursor: number | undefined;
  private wallWatermark = -Infinity;
  private lastIngestWall: number | undefined;
  private lastIngestLive = false;
  private readonly novel: NovelErrorTracker;
  readonly ruleAlerts: RuleAlerts;
  private initialised = false;
  private readonly clock: Clock;
  private readonly log: (msg: string) => void;
  private readonly eventTime: EventTimeGuard;
  /** Per rule, the minute its latest check failure was logged. */
  private readonly failureLogged = new Map<string, number>();
  /** Minutes the latest evaluation walked (tests: the walk is bounded). */
  private walked = 0;

  constructor(
    private readonly store: CollectorStore,
    private readonly alerts: AlertService,
    private readonly metrics: Metrics,
    private readonly config: CollectorConfig['rules'],
    opts: RuleRuntimeOptions,
  ) {
    this.clock = opts.clock;
    this.log = opts.log ?? (() => undefined);
    this.eventTime = opts.eventTime ?? new EventTimeGuard(opts.clock, opts.maxFutureSkewMs);
    this.rules = [...windowRules(config, opts.timeZone ? { timeZone: opts.timeZone } : {}), ...(opts.extraRules ?? [])];
    const ne = config.novelError;
    this.novel = new NovelErrorTracker(store.rollupHistory, {
      lookbackMs: ne.lookback,
      learningMs: ne.learning,
      minCount: ne.minCount,
      windowMs: ne.window,
    });
    this.ruleAlerts = new RuleAlerts(alerts, metrics);
  }

  onFired(listener: FiredListener): () => void {
    return this.ruleAlerts.onFired(listener);
  }

  /** The newest event time the engine accepts at all: the collector's clock plus the allowed skew. */
  private ceiling(): number {
    return this.eventTime.ceiling();
  }

  /**
   * The stored event-time high-water mark, never past the collector's clock: one sender ahead
   * (a day, or just the allowed skew) would otherwise make every other sender's live data
   * "late", and rule-based paging silent for as long. Minutes within the skew wait in `open`
   * until the clock reaches them.
   */
  private maxEventTs(): number | undefined {
    return this.eventTime.watermark(this.store.maxEventTs());
  }

  /** Last event-time minute that may be evaluated, or undefined before any event. */
  lastCompleteMinute(): number | undefined {
    const max = Math.min(Math.max(this.maxEventTs() ?? -Infinity, this.wallWatermark), this.clock.now());
    if (!Number.isFinite(max)) return undefined;
    return minuteFloor(max - this.config.allowedLateness - MINUTE_MS);
  }

  /** How many minutes the latest evaluation walked (at most MAX_MINUTES_PER_RUN). */
  lastWalk(): number {
    return this.walked;
  }

  /** Evaluates every minute the watermark now allows. `batch`: what the ingest that called us committed. */
  run(touched: ReadonlyMap<string, number>, batch?: CommittedBatch): void {
    this.init();
    this.walked = 0;
    if (batch) {
      this.novel.observe(this.countLateAndAhead(batch.events));
      for (const b of batch.buckets) this.hold(b);
      const now = this.clock.now();
      this.lastIngestWall = now;
      this.lastIngestLive = (this.maxEventTs() ?? -Infinity) >= now - this.config.wallClock.liveHorizon;
    }
    const to = this.lastCompleteMinute();
    if (to === undefined) return;
    let from: number | undefined;
    if (this.cursor !== undefined) {
      from = this.cursor + MINUTE_MS;
    } else {
      for (const m of touched.values()) if (from === undefined || m < from) from = m;
      for (const m of this.open.keys()) if (from === undefined || m < from) from = m;
      if (from !== undefined) from = Math.max(from, to - MAX_CATCH_UP_MS);
    }
    if (from === undefined || from > to) return;
    this.evaluateRange(from, to);
  }

  /**
   * Maintenance: when live ingest has been quiet for `quietAfter`, event time is taken to move
   * with the wall clock, so windows empty and firing alerts resolve. Never for replayed history.
   */
  tick(now: number): void {
    this.init();
    const wc = this.config.wallClock;
    if (this.lastIngestWall === undefined || !this.lastIngestLive || now - this.lastIngestWall < wc.quietAfter) return;
    const wm = now - wc.quietAfter;
    if (wm <= this.wallWatermark) return;
    this.wallWatermark = wm;
    this.run(new Map());
    this.evictIdle(now);
    this.novel.prune(Math.min(now, this.store.maxEventTs() ?? now));
  }

  /** Periodic housekeeping in event time (called by maintenance): bounded memory. */
  prune(now: number): void {
    this.init();
    this.evictIdle(now);
    this.novel.prune(now);
  }

  /** Drops idle scopes whose rules are all quiet (one pass over the states, not one per scope). */
  private evictIdle(now: number): void {
    const busy = new Set<string>();
    for (const k of this.states.keys()) busy.add(k.slice(k.indexOf('\n') + 1));
    this.histories.evictIdle(now - IDLE_EVICT_MS, (k) => busy.has(k));
  }

  /** For tests and /metrics: how much the engine holds. */
  sizes(): { scopes: number; states: number; openMinutes: number; signatures: number } {
    return {
      scopes: this.histories.size(),
      states: this.states.size,
      openMinutes: this.open.size,
      signatures: this.novel.knownCount(),
    };
  }

  /**
   * Late events (their minute is already evaluated) land in the rollups only: counted, never
   * silently. Events beyond the ceiling cannot come through ingest (it refuses them); any that
   * reach here anyway are counted as skipped, never held (see `hold`) and not observed for
   * error signatures; returns the events the rules may use.
   */
  private countLateAndAhead(events: readonly LlmEvent[]): readonly LlmEvent[] {
    const lateBefore = this.cursor === undefined ? -Infinity : this.cursor + MINUTE_MS;
    const ceiling = this.ceiling();
    let late = 0;
    let ahead = 0;
    for (const e of events) {
      if (e.ts < lateBefore) late++;
      else if (e.ts > ceiling) ahead++;
    }
    this.metrics.eventsLate += late;
    this.metrics.eventsFutureSkipped += ahead;
    if (ahead === 0) return events;
    // The mark must not stay out there either (counted just now, so not again).
    this.store.clampMaxEventTs(ceiling);
    return events.filter((e) => e.ts <= ceiling);
  }

  private hold(b: MinuteBucket): void {
    if (this.cursor !== undefined && b.minute <= this.cursor) return; // late: lands in the rollup only
    if (b.minute > this.ceiling()) return; // ahead of the clock: never evaluated (see countLateAndAhead)
    let m = this.open.get(b.minute);
    if (!m) {
      m = new Map();
      this.open.set(b.minute, m);
    }
    m.set(seriesKeyString(b), b);
  }

  private init(): void {
    if (this.initialised) return;
    this.initialised = true;
    const h = this.store.rollupHistory;
    const now = this.clock.now();
    const ceiling = this.ceiling();
    // Start-up recovery: rows an older version stored far ahead must not drag the watermark there.
    const repaired = this.store.clampMaxEventTs(ceiling);
    if (repaired) {
      this.metrics.eventsFutureSkipped += repaired.eventsAhead;
      this.log(
        `rules: ${repaired.eventsAhead} stored event(s) are dated beyond the clock + ingest.maxFutureSkew; ` +
          `skipped (event-time high-water mark reset to ${repaired.maxEventTs ?? 'none'})`,
      );
    }
    const cursor = h.getMeta(CURSOR_META);
    for (const id of RULE_IDS) {
      for (const { series, state } of this.store.ruleStates(id)) {
        if (state.phase === 'inactive') continue;
        this.states.set(stateKey(id, series), state);
      }
    }
    // Before the catalog, the error-rate rule kept a per-series cursor: resume after the newest.
    let legacy: number | undefined;
    for (const { state } of this.store.ruleStates('error-rate')) {
      if (state.lastEvaluatedAt !== undefined && (legacy === undefined || state.lastEvaluatedAt > legacy))
        legacy = state.lastEvaluatedAt;
    }
    this.cursor = this.saneCursor(cursor !== undefined ? Number(cursor) : legacy, ceiling);
    const evalCursor = h.getMeta(EVAL_CURSOR_META);
    if (evalCursor !== undefined)
      for (const [k, v] of Object.entries(JSON.parse(evalCursor) as Record<string, number>)) {
        // A run judged "in the future" would hide every later run: judge from now on instead.
        if (Number.isFinite(v)) this.evalCursor.set(k, Math.min(v, now));
      }
    for (const r of h.seriesFirstSeen()) this.histories.seriesFirstSeen.set(seriesKeyString(r.key), r);
    this.novel.load(Math.min(now, this.maxEventTs() ?? now));
    if (this.cursor === undefined) return;
    // Rebuild the histories: hourly rows, then minute rows up to the cursor; newer minutes are open.
    const from = this.cursor - IDLE_EVICT_MS;
    this.histories.addHours(h.hoursBetween(from, this.cursor));
    const byMinute = new Map<number, MinuteBucket[]>();
    for (const b of h.bucketsBetween(from, Math.min(this.cursor + MAX_CATCH_UP_MS, ceiling))) {
      if (b.minute > this.cursor) {
        this.hold(b);
        continue;
      }
      const list = byMinute.get(b.minute) ?? [];
      list.push(b);
      byMinute.set(b.minute, list);
    }
    for (const [m, list] of byMinute) this.histories.addMinute(m, list);
    const max = this.maxEventTs();
    if (max !== undefined && max >= now - this.config.wallClock.liveHorizon) {
      this.lastIngestWall = now;
      this.lastIngestLive = true;
    }
  }

  /**
   * The stored cursor, unless it is beyond the ceiling (an older version walked toward a
   * far-future event, or the clock went back): then the watermark of the sane data, so live
   * minutes are evaluated again instead of all counting as "late".
   */
  private saneCursor(stored: number | undefined, ceiling: number): number | undefined {
    if (stored === undefined || (Number.isFinite(stored) && stored <= ceiling)) return stored;
    const reset = this.lastCompleteMinute();
    this.log(`rules: stored cursor ${stored} is beyond the clock + ingest.maxFutureSkew; reset to ${reset ?? 'none'}`);
    if (reset !== undefined) this.store.rollupHistory.setMeta(CURSOR_META, String(reset));
    return reset;
  }

  private evaluateRange(requestedFrom: number, to: number): void {
    // Bounded walk: never more than MAX_MINUTES_PER_RUN minutes, whatever the gap.
    const earliest = to - (MAX_MINUTES_PER_RUN - 1) * MINUTE_MS;
    let from = requestedFrom;
    if (from < earliest) {
      let dropped = 0;
      for (const [m, buckets] of this.open) {
        if (m >= earliest) continue;
        for (const b of buckets.values()) dropped += b.count;
        this.open.delete(m);
      }
      this.metrics.eventsLate += dropped;
      this.log(
        `rules: ${Math.round((earliest - from) / MINUTE_MS)} minute(s) before ${earliest} skipped ` +
          `(at most ${MAX_MINUTES_PER_RUN} per run); ${dropped} event(s) there count as late`,
      );
      from = earliest;
    }
    this.walked = Math.max(0, Math.floor((to - from) / MINUTE_MS) + 1);
    try {
      this.alerts.transact(() => {
        for (let m = from; m <= to; m += MINUTE_MS) this.evaluateMinute(m);
        this.evaluateEvals();
        for (const k of this.dirty) {
          const [ruleId, scopeKey] = k.split('\n') as [string, string];
          this.store.putRuleState(ruleId, scopeKey, this.states.get(k) ?? INACTIVE);
        }
        this.dirty.clear();
        this.cursor = to;
        this.store.rollupHistory.setMeta(CURSOR_META, String(to));
      });
    } catch (err) {
      this.ruleAlerts.discard();
      this.evalsJudgedThrough = undefined;
      throw err;
    }
    this.ruleAlerts.flush();
  }

  private evaluateMinute(m: number): void {
    const open = this.open.get(m);
    this.open.delete(m);
    this.histories.addMinute(m, open ? [...open.values()] : []);
    const at = m + MINUTE_MS;
    const idleBefore = m - SKIP_IDLE_MS;
    for (let r = 0; r < this.rules.length; r++) {
      const rule = this.rules[r] as WindowRule;
      // An inactive rule is not asked about a scope with no data where it looks (see windowRules).
      const quietBefore =
        rule.windowMs === undefined ? idleBefore : Math.max(idleBefore, m - rule.windowMs + MINUTE_MS);
      // Scopes with data where the rule looks: the number of tests this minute (Bonferroni).
      let scopesTested = 0;
      for (const { history } of this.histories.entries(rule.scope)) {
        if (history.idleSince(quietBefore)) continue;
        if (!rule.observes || rule.windowMs === undefined || rule.observes(history.window(m, rule.windowMs)))
          scopesTested++;
      }
      const ctx = { scopesTested };
      for (const entry of this.histories.entries(rule.scope)) {
        const { scope, history } = entry;
        const key = ruleStateKey(entry, r, rule.id);
        const prev = this.states.get(key) ?? INACTIVE;
        if (prev.phase === 'inactive' && history.idleSince(quietBefore)) continue;
        let summary: string | undefined;
        try {
          summary = rule.check(history, m, scope, ctx);
        } catch (err) {
          // A bug in one rule must not stop the engine: an exception here would roll the whole
          // minute back and every later run would retry (and fail) from the same cursor, so no
          // rule would page again. This rule and scope keep their state for the minute.
          this.checkFailed(rule.id, scope.name, m, err);
          continue;
        }
        this.transition(rule.id as RuleId, rule.tier, rule, scope, key, prev, summary, m, at);
      }
    }
    this.evaluateNovel(m, at);
    this.promoteDue(at);
    if (at % HOUR_MS === 0) {
      let hourly: ReturnType<typeof hourlyRules> = [];
      try {
        hourly = hourlyRules(this.config, this.histories, this.store.evals, at);
      } catch (err) {
        this.checkFailed('weekly review rules', 'every scope', m, err);
      }
      for (const r of hourly) {
        const prev = this.states.get(stateKey(r.ruleId, r.scope.key)) ?? INACTIVE;
        this.transition(r.ruleId, r.tier, r.timing, r.scope, stateKey(r.ruleId, r.scope.key), prev, r.summary, m, at);
      }
    }
  }

  /** Counted every time; logged at most once an hour (event time) per rule, not once per scope and minute. */
  private checkFailed(rule: string, scopeName: string, m: number, err: unknown): void {
    this.metrics.ruleCheckFailures++;
    const last = this.failureLogged.get(rule);
    if (last !== undefined && m - last < HOUR_MS && m >= last) return;
    this.failureLogged.set(rule, m);
    this.log(
      `rules: ${rule} on ${scopeName} failed (its state kept for this minute; logged once an hour): ` +
        `${(err as Error).stack ?? String(err)}`,
    );
  }

  private transition(
    ruleId: RuleId,
    tier: WindowRule['tier'],
    timing: Timing,
    scope: Scope,
    key: string,
    prev: RuleState,
    summary: string | undefined,
    m: number,
    at: number,
  ): void {
    // Inactive and still false: nothing to do (what step() answers, without its allocations;
    // nearly every rule on nearly every scope, every minute).
    if (summary === undefined && prev.phase === 'inactive') return;
    const tr = step(prev, summary !== undefined, m, timing);
    if (tr.kind === 'none' && tr.state.phase === 'inactive') return;
    const next = this.ruleAlerts.apply(
      { ruleId, tier, labels: scope.labels, remediation: remediationOf(this.config, ruleId) },
      prev,
      tr,
      summary,
      at,
    );
    if (next.phase === 'inactive') this.states.delete(key);
    else this.states.set(key, next);
    if (tr.kind !== 'none' || next.lastTrueAt !== prev.lastTrueAt) this.dirty.add(key);
  }

  private evaluateNovel(m: number, at: number): void {
    if (!this.config.novelError.enabled) return;
    const cfg = this.config.novelError;
    for (const c of [...this.novel.candidates.values()]) {
      if (c.row.firstSeen >= at) continue;
      const scope: Scope = {
        kind: 'series',
        key: `signature:${c.signature}`,
        labels: {
          service: c.row.service,
          provider: c.row.provider,
          model: c.row.model,
          signature: c.signature.slice(0, 200),
        },
        name: `${c.row.service} · ${c.row.provider}/${c.row.model}`,
      };
      const key = stateKey(NOVEL_ERROR_RULE_ID, scope.key);
      const prev = this.states.get(key) ?? INACTIVE;
      const holds = this.novel.holds(c, m);
      const summary = holds
        ? `new error on ${scope.name}: ${c.row.signature.split('|')[0]} "${c.row.sample.slice(0, 160)}" ` +
          `seen ${c.occurrences.filter((t) => t < at).length} times since ${new Date(c.row.firstSeen).toISOString().slice(11, 16)} UTC, ` +
          `never seen in the last ${Math.round(cfg.lookback / DAY_MS)} d`
        : undefined;
      this.transition(
        NOVEL_ERROR_RULE_ID,
        cfg.tier,
        { forMs: cfg.for, keepFiringForMs: cfg.keepFiringFor },
        scope,
        key,
        prev,
        summary,
        m,
        at,
      );
      const after = this.states.get(key);
      if ((!after && prev.phase === 'firing') || (!after && this.novel.expired(c, m)))
        this.novel.candidates.delete(c.signature);
    }
  }

  private promoteDue(at: number): void {
    for (const [key, s] of this.states) {
      if (s.pageAt === undefined || s.phase !== 'firing' || s.pageAt > at) continue;
      this.states.set(key, this.ruleAlerts.promote(s, at));
      this.dirty.add(key);
    }
  }

  /**
   * eval-accuracy: each new run (by ts) against the suite's trailing runs. Every minute close
   * calls this (a run stored just before a crash is judged after it), so it first checks, with
   * one query, whether any run was stored since the last call.
   */
  private evaluateEvals(): void {
    const cfg = this.config.evalAccuracy;
    if (!cfg.enabled) return;
    const latest = this.store.evals.latestEvalRunId();
    if (latest === this.evalsJudgedThrough) return;
    this.evalsJudgedThrough = latest;
    let judged = false;
    for (const suite of this.store.evals.evalSuites()) {
      const scope: Scope = { kind: 'series', key: `suite:${suite}`, labels: { suite }, name: suite };
      const key = stateKey(EVAL_ACCURACY_RULE_ID, scope.key);
      let prev = this.states.get(key) ?? INACTIVE;
      const done = this.evalCursor.get(suite) ?? -Infinity;
      const latest = this.store.evals.recentEvalRuns(suite, Number.isFinite(done) ? done : 0);
      // Runs dated beyond the clock + skew (stored by an older version) are never judged.
      const ceiling = this.ceiling();
      const fresh = latest.filter((r) => r.ts > done && r.ts <= ceiling);
      if (fresh.length === 0) continue;
      const first = fresh[0]?.ts ?? 0;
      const before: EvalRun[] = this.store.evals
        .recentEvalRuns(suite, first - cfg.lookback)
        .filter((r) => r.ts < first);
      for (const run of fresh) {
        const summary = evalAccuracyCheck(cfg, run, before);
        before.push(run);
        this.transition(
          EVAL_ACCURACY_RULE_ID,
          cfg.tier,
          { forMs: cfg.for, keepFiringForMs: cfg.keepFiringFor },
          scope,
          key,
          prev,
          summary,
          run.ts,
          run.ts,
        );
        prev = this.states.get(key) ?? INACTIVE;
        this.evalCursor.set(suite, run.ts);
      }
      judged = true;
    }
    // Once per evaluation, not per suite: the cursor holds every suite (n suites × n-sized writes was O(n²)).
    if (judged) this.store.rollupHistory.setMeta(EVAL_CURSOR_META, JSON.stringify(Object.fromEntries(this.evalCursor)));
  }

  private readonly evalCursor = new Map<string, number>();
  /** latestEvalRunId() when evaluateEvals last ran to the end; undefined after a rollback. */
  private evalsJudgedThrough: number | undefined;

  /** Evals arrive on their own (POST /v1/evals, the scheduler): judge them now. */
  evaluateEvalsNow(): void {
    this.init();
    try {
      this.alerts.transact(() => {
        this.evaluateEvals();
        for (const k of this.dirty) {
          const [ruleId, scopeKey] = k.split('\n') as [string, string];
          this.store.putRuleState(ruleId, scopeKey, this.states.get(k) ?? INACTIVE);
        }
        this.dirty.clear();
      });
    } catch (err) {
      this.ruleAlerts.discard();
      this.evalsJudgedThrough = undefined;
      this.log(`eval rule failed: ${(err as Error).stack ?? String(err)}`);
      return;
    }
    this.ruleAlerts.flush();
  }
}
