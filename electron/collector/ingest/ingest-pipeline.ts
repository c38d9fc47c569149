import type { Clock } from '../../../shared/clock.js';
import { priceRequest } from '../../../shared/pricing/prices.js';
import type { LlmEvent } from '../../../shared/protocol/events.js';
import type { Metrics } from '../metrics.js';
import type { RollupCache } from '../rollup/rollup-cache.js';
import type { RuleRuntime } from '../rules/rule-runtime.js';
import type { CollectorStore, PricedEvent } from '../store/store.js';
import { EventTimeGuard } from './event-time.js';
import { eventField } from './parse-events.js';
import type { LabelCardinalityAlerts } from './label-alerts.js';
import type { LabelCap } from './label-cap.js';
import { OUTPUT_LABELS_META } from './label-seed.js';
import type { GenAiMetrics } from '../export/genai-metrics.js';

/** Label cardinality cap (issue 11): folding on ingest, and the ticket when a label overflows. */
export interface IngestLabels {
  cap: LabelCap;
  alerts: LabelCardinalityAlerts;
}

export interface IngestPipelineOptions {
  /** The collector's one clock check (shared with the rules and the webhook doors); else one made from `maxFutureSkewMs`. */
  eventTime?: EventTimeGuard;
  /** `ingest.maxFutureSkew`; Infinity lets tests store rows dated ahead, as older versions did. */
  maxFutureSkewMs?: number;
  /** The label cardinality cap; absent = no cap. */
  labels?: IngestLabels;
  /** `/metrics/genai` (issue 17): counts each committed batch; absent = not exported. */
  genai?: GenAiMetrics;
}

/**
 * ingest → price → rollup → commit → evaluate. Returns once the batch is in SQLite; rule
 * evaluation runs after the commit in its own durable transaction (see RuleRuntime).
 */
export class IngestPipeline {
  /** The future-skew check every ingest door shares (OTLP spans and eval runs use it too). */
  readonly eventTime: EventTimeGuard;

  constructor(
    private readonly store: CollectorStore,
    private readonly rollups: RollupCache,
    private readonly rules: RuleRuntime,
    private readonly metrics: Metrics,
    private readonly clock: Clock,
    private readonly log: (msg: string) => void,
    opts: IngestPipelineOptions = {},
  ) {
    this.eventTime =
      opts.eventTime ?? new EventTimeGuard(clock, opts.maxFutureSkewMs, (n) => (metrics.eventsFutureRefused += n));
    this.labels = opts.labels;
    this.genai = opts.genai;
  }

  private readonly genai: GenAiMetrics | undefined;

  private readonly labels: IngestLabels | undefined;

  /** Throws a 400 naming the event's `ts` (as parseEvents names fields) if it is dated too far ahead; nothing is stored then. */
  ingest(events: readonly LlmEvent[]): number {
    if (events.length === 0) return 0;
    this.eventTime.check(events, (i) => eventField(events, i, 'ts'));
    let unpriced = 0;
    let maxTs = -Infinity;
    const priced: PricedEvent[] = events.map((event) => {
      // A sender's own cost wins; otherwise the price table; unknown models stay null (flagged), never 0.
      const costUsd =
        event.cost_usd ?? priceRequest(event.provider, event.model, event.input_tokens, event.output_tokens) ?? null;
      if (costUsd === null) unpriced += 1;
      if (event.ts > maxTs) maxTs = event.ts;
      return { event, costUsd };
    });
    // Label cap: priced with the sender's own model above; from here on (rollups, rules,
    // novel errors) over-cap values are `other`. The raw event log keeps the original values.
    const capped = this.labels ? this.labels.cap.fold(priced) : priced;
    const { buckets, touched } = this.rollups.apply(capped);
    try {
      this.store.ingestBatch(priced, buckets, this.clock.now(), maxTs);
    } catch (err) {
      this.rollups.invalidate(buckets);
      // Nothing was stored: the label values this batch admitted must not keep cap slots.
      this.labels?.cap.abort();
      throw err;
    }
    this.labels?.cap.commit();
    this.metrics.eventsIngested += events.length;
    this.metrics.batchesIngested += 1;
    this.metrics.unpricedEvents += unpriced;
    // After the commit (a refused batch is not traffic), over the capped labels (bounded series).
    this.genai?.record(capped);
    if (this.labels) this.afterLabelCap(this.labels);
    try {
      this.rules.run(touched, { buckets, events: capped === priced ? events : capped.map((p) => p.event) });
    } catch (err) {
      // The batch is committed (the 2xx stays true); rule state did not advance, so the next
      // batch or restart re-evaluates these minutes.
      this.log(`rule evaluation failed: ${(err as Error).stack ?? String(err)}`);
    }
    return events.length;
  }

  /** After the commit: save newly tracked output labels (for the next start), ticket new overflows. */
  private afterLabelCap(labels: IngestLabels): void {
    try {
      const outputLabels = labels.cap.takeAdmitted('output_label');
      if (outputLabels) this.store.rollupHistory.setMeta(OUTPUT_LABELS_META, JSON.stringify(outputLabels));
      const fresh = labels.cap.takeFresh();
      if (fresh.length > 0) labels.alerts.raise(fresh);
    } catch (err) {
      // The batch is committed; the next batch that admits or overflows tries again.
      this.log(`label cap bookkeeping failed: ${(err as Error).stack ?? String(err)}`);
    }
  }
}
