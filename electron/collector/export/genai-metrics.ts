import {
  DURATION_BUCKETS_S,
  ERROR_TYPE_OTHER,
  GENAI_COST,
  GENAI_DURATION,
  GENAI_TOKENS,
  LABEL,
  TOKEN_BUCKETS,
} from '../../../shared/prometheus/genai-names.js';
import type { PricedEvent } from '../store/store.js';
import { OTHER_LABEL_VALUE } from '../ingest/label-cap.js';

/** A cumulative Prometheus histogram over fixed bounds. */
class Histogram {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(private readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length).fill(0);
  }
  observe(v: number): void {
    this.sum += v;
    this.count += 1;
    // Few bounds (14): a linear scan beats a binary search's branches.
    for (let i = 0; i < this.bounds.length; i++) if (v <= this.bounds[i]!) this.counts[i]! += 1;
  }
  render(name: string, labels: string, out: string[]): void {
    this.bounds.forEach((b, i) => out.push(`${name}_bucket{${labels},le="${b}"} ${this.counts[i]}`));
    out.push(`${name}_bucket{${labels},le="+Inf"} ${this.count}`);
    out.push(`${name}_sum{${labels}} ${this.sum}`, `${name}_count{${labels}} ${this.count}`);
  }
}

interface Operation {
  labels: string;
  duration: Histogram;
}
interface Usage {
  labels: string;
  input: Histogram;
  output: Histogram;
  costUsd: number;
}

/** Prometheus text label value: backslash, quote and newline escaped. */
export function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * The collector's traffic as the OTel GenAI client metrics (`GET /metrics/genai`, issue 17):
 * cumulative since start, counted after each ingest commit from the label-capped events, so a
 * Prometheus scraping it can evaluate `npm run rules:export`'s rules. Label values are already
 * capped per label (`ingest.maxLabelValues`); `maxSeries` caps their combinations: once reached,
 * a new combination counts under `other` everywhere, so the exposition stays bounded.
 */
export class GenAiMetrics {
  private readonly ops = new Map<string, Operation>();
  private readonly usage = new Map<string, Usage>();
  /** Events counted under the all-`other` series because `maxSeries` was reached. */
  overflowEvents = 0;

  constructor(readonly maxSeries: number) {}

  record(events: readonly PricedEvent[]): void {
    for (const { event: e, costUsd } of events) {
      const errorType = e.status === 'error' ? e.error_type || ERROR_TYPE_OTHER : undefined;
      // The hot path is two Map lookups; label text is built once per new label set.
      const base = `${e.service}\u0000${e.provider}\u0000${e.model}`;
      const opKey = errorType === undefined ? base : `${base}\u0000${errorType}`;
      const op =
        this.ops.get(opKey) ??
        this.slot(this.ops, opKey, [e.service, e.provider, e.model, errorType], (labels) => ({
          labels,
          duration: new Histogram(DURATION_BUCKETS_S),
        }));
      op.duration.observe(e.latency_ms / 1000);
      const use =
        this.usage.get(base) ??
        this.slot(this.usage, base, [e.service, e.provider, e.model, undefined], (labels) => ({
          labels,
          input: new Histogram(TOKEN_BUCKETS),
          output: new Histogram(TOKEN_BUCKETS),
          costUsd: 0,
        }));
      use.input.observe(e.input_tokens);
      use.output.observe(e.output_tokens);
      if (costUsd !== null) use.costUsd += costUsd;
    }
  }

  /** Distinct label sets exported (operations and usage), for tests and the self-metrics. */
  seriesCount(): number {
    return this.ops.size + this.usage.size;
  }

  /** A new label set under `key` (the caller missed it), or the `other` set once `maxSeries` is reached. */
  private slot<T>(
    map: Map<string, T>,
    key: string,
    values: [service: string, provider: string, model: string, errorType: string | undefined],
    make: (labels: string) => T,
  ): T {
    let vals = values;
    let k = key;
    if (map.size >= this.maxSeries) {
      if (map === this.ops) this.overflowEvents += 1;
      vals = [
        OTHER_LABEL_VALUE,
        OTHER_LABEL_VALUE,
        OTHER_LABEL_VALUE,
        values[3] === undefined ? undefined : OTHER_LABEL_VALUE,
      ];
      // Sender keys always hold two NUL separators, so these keys never collide with one.
      k = vals[3] === undefined ? '\u0001other' : '\u0001other-error';
      const other = map.get(k);
      if (other) return other;
    }
    const [service, provider, model, errorType] = vals;
    const labels =
      `${LABEL.service}="${escapeLabelValue(service)}",${LABEL.provider}="${escapeLabelValue(provider)}",` +
      `${LABEL.model}="${escapeLabelValue(model)}"` +
      (errorType !== undefined ? `,${LABEL.errorType}="${escapeLabelValue(errorType)}"` : '');
    const made = make(labels);
    // The `other` set may exceed maxSeries by one per map: the bound stays maxSeries + 1.
    map.set(k, made);
    return made;
  }

  render(): string {
    const out: string[] = [
      `# HELP ${GENAI_DURATION} GenAI operation duration (OTel gen_ai.client.operation.duration), by error type for failures.`,
      `# TYPE ${GENAI_DURATION} histogram`,
    ];
    for (const op of this.ops.values()) op.duration.render(GENAI_DURATION, op.labels, out);
    out.push(
      `# HELP ${GENAI_TOKENS} Tokens per request (OTel gen_ai.client.token.usage), by token type.`,
      `# TYPE ${GENAI_TOKENS} histogram`,
    );
    for (const u of this.usage.values()) {
      u.input.render(GENAI_TOKENS, `${u.labels},${LABEL.tokenType}="input"`, out);
      u.output.render(GENAI_TOKENS, `${u.labels},${LABEL.tokenType}="output"`, out);
    }
    out.push(
      `# HELP ${GENAI_COST} Priced spend in USD (the sender's cost, else Vigil's price table; unpriced requests add nothing).`,
      `# TYPE ${GENAI_COST} counter`,
    );
    for (const u of this.usage.values()) out.push(`${GENAI_COST}{${u.labels}} ${u.costUsd}`);
    out.push(
      '# HELP vigil_genai_series_overflow_total Events counted under "other" because prometheus.metrics.maxSeries was reached.',
      '# TYPE vigil_genai_series_overflow_total counter',
      `vigil_genai_series_overflow_total ${this.overflowEvents}`,
    );
    return out.join('\n') + '\n';
  }
}
