import { MINUTE_MS } from '../../../shared/clock.js';
import type { LlmEvent } from '../../../shared/protocol/events.js';
import { errorSignature } from '../../../shared/rules/novel-error.js';
import type { ErrorSignatureRow, RollupHistoryStore } from '../store/rollup-history-store.js';

export interface NovelErrorConfig {
  lookbackMs: number;
  learningMs: number;
  minCount: number;
  windowMs: number;
}

/** A signature that was new when it appeared; tracked until it fires or fades. */
export interface Candidate {
  signature: string;
  row: ErrorSignatureRow;
  /** Event times of its occurrences since it became new (capped). */
  occurrences: number[];
}

const MAX_KNOWN = 50_000;
const MAX_CANDIDATES = 1_000;
const MAX_OCCURRENCES = 64;
const LEARNING_META = 'novel_errors_since';

/**
 * The error-signature memory (table error_signatures): which normalised error strings were seen
 * in the last 7 days. Ingest feeds every error event; a signature unseen for `lookbackMs` becomes
 * a candidate, which the rule runtime judges minute by minute in event time. Bounded: known
 * signatures older than the lookback are forgotten, candidates are capped.
 */
export class NovelErrorTracker {
  private readonly known = new Map<string, ErrorSignatureRow>();
  readonly candidates = new Map<string, Candidate>();
  private readonly dirty = new Map<string, ErrorSignatureRow>();
  private learningSince: number | undefined;

  constructor(
    private readonly store: RollupHistoryStore,
    private readonly cfg: NovelErrorConfig,
  ) {}

  /** Loads signatures seen since `now - lookback` (restart). */
  load(now: number): void {
    for (const r of this.store.loadSignatures(now - this.cfg.lookbackMs)) this.known.set(r.signature, r);
    const since = this.store.getMeta(LEARNING_META);
    if (since !== undefined) this.learningSince = Number(since);
  }

  /** Folds a committed batch's error events in. */
  observe(events: readonly LlmEvent[]): void {
    for (const e of events) {
      if (e.status !== 'error') continue;
      const sig = errorSignature(e.error_type, e.error_message);
      if (this.learningSince === undefined || e.ts < this.learningSince) {
        this.learningSince = e.ts;
        this.store.setMeta(LEARNING_META, String(e.ts));
      }
      let row = this.known.get(sig);
      const isNew = row === undefined || row.lastSeen < e.ts - this.cfg.lookbackMs;
      if (!row || isNew) {
        row = {
          signature: sig,
          sample: e.error_message ?? e.error_type ?? 'unknown error',
          service: e.service,
          provider: e.provider,
          model: e.model,
          firstSeen: e.ts,
          lastSeen: e.ts,
          count: 0,
        };
        this.known.set(sig, row);
        if (e.ts - this.learningSince >= this.cfg.learningMs && this.candidates.size < MAX_CANDIDATES) {
          this.candidates.set(sig, { signature: sig, row, occurrences: [] });
        }
      }
      row.count += 1;
      if (e.ts > row.lastSeen) row.lastSeen = e.ts;
      this.dirty.set(sig, row);
      const c = this.candidates.get(sig);
      if (c && c.occurrences.length < MAX_OCCURRENCES) c.occurrences.push(e.ts);
    }
    if (this.dirty.size > 0) {
      this.store.upsertSignatures([...this.dirty.values()]);
      this.dirty.clear();
    }
  }

  /**
   * Whether candidate `c` holds at the end of `minute`: at least minCount occurrences within
   * `windowMs` of its first, and one in the last `windowMs`.
   */
  holds(c: Candidate, minute: number): boolean {
    const end = minute + MINUTE_MS;
    let seen = 0;
    let last = -Infinity;
    for (const t of c.occurrences) {
      if (t >= end) continue;
      if (t < c.row.firstSeen + this.cfg.windowMs) seen++;
      if (t > last) last = t;
    }
    return seen >= this.cfg.minCount && last >= end - this.cfg.windowMs;
  }

  /** A candidate past its window that never reached minCount is just a known signature now. */
  expired(c: Candidate, minute: number): boolean {
    return minute + MINUTE_MS > c.row.firstSeen + this.cfg.windowMs && !this.holds(c, minute);
  }

  /** Forgets signatures not seen within the lookback (memory and table). */
  prune(now: number): void {
    const before = now - this.cfg.lookbackMs;
    for (const [k, r] of this.known) if (r.lastSeen < before) this.known.delete(k);
    if (this.known.size > MAX_KNOWN) {
      const oldest = [...this.known.values()]
        .sort((a, b) => a.lastSeen - b.lastSeen)
        .slice(0, this.known.size - MAX_KNOWN);
      for (const r of oldest) this.known.delete(r.signature);
    }
    this.store.pruneSignatures(before);
  }

  knownCount(): number {
    return this.known.size;
  }
}
