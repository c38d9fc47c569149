import type { Clock } from '../../../shared/clock.js';
import { priceRequest } from '../../../shared/pricing/prices.js';
import type { LlmEvent } from '../../../shared/protocol/events.js';
import type { Metrics } from '../metrics.js';
import type { RollupCache } from '../rollup/rollup-cache.js';
import type { RuleRuntime } from '../rules/rule-runtime.js';
import type { CollectorStore, PricedEvent } from '../store/store.js';
import { EventTimeGuard } from './event-time.js';
import { eventField } from './parse-events.js';

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
    maxFutureSkewMs?: number,
  ) {
    this.eventTime = new EventTimeGuard(clock, maxFutureSkewMs, (n) => (metrics.eventsFutureRefused += n));
  }

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
    const { buckets, touched } = this.rollups.apply(priced);
    try {
      this.store.ingestBatch(priced, buckets, this.clock.now(), maxTs);
    } catch (err) {
      this.rollups.invalidate(buckets);
      throw err;
    }
    this.metrics.eventsIngested += events.length;
    this.metrics.batchesIngested += 1;
    this.metrics.unpricedEvents += unpriced;
    try {
      this.rules.run(touched, { buckets, events });
    } catch (err) {
      // The batch is committed (the 2xx stays true); rule state did not advance, so the next
      // batch or restart re-evaluates these minutes.
      this.log(`rule evaluation failed: ${(err as Error).stack ?? String(err)}`);
    }
    return events.length;
  }
}
