import type { LlmEvent } from '../../../shared/protocol/events.js';
import type { PricedEvent } from '../store/store.js';

/**
 * The labels that become map keys downstream: series keys and rule scopes (service, provider,
 * model) and the per-bucket output-label mix (output-drift, the output_label_share chart).
 * error_type is left alone on purpose: provider-down reads the well-known error types, and an
 * outage's type folded into `other` would silence a page.
 */
export const CAPPED_LABELS = ['service', 'provider', 'model', 'output_label'] as const;
export type CappedLabel = (typeof CAPPED_LABELS)[number];

/** What a value beyond the cap becomes. Always allowed, never counted against the cap. */
export const OTHER_LABEL_VALUE = 'other';

/** Overflowed values remembered per label, for the alert's summary (bounded). */
export const MAX_OVERFLOW_EXAMPLES = 5;

/** Per label: what overflowed so far. */
export interface LabelOverflow {
  label: CappedLabel;
  /** Events whose value was folded into `other`, since start. */
  events: number;
  /** The first few distinct overflowed values (at most MAX_OVERFLOW_EXAMPLES). */
  examples: readonly string[];
}

/** Values loaded at start (see label-seed.ts); absent labels start empty. */
export type LabelSeed = Partial<Record<CappedLabel, Iterable<string>>>;

interface LabelState {
  known: Set<string>;
  events: number;
  examples: string[];
}

/**
 * Caps the distinct values of each label at `max`: the first `max` values seen (plus those
 * loaded from the stored rollups at start) are kept; any other value is replaced by `other`,
 * so its traffic still counts in fleet, provider and error-rate totals but cannot grow the
 * rollups, rule scopes or novel-error memory without bound. Runs on every event after
 * validation: one Set lookup per label, no allocation unless something folds.
 */
export class LabelCap {
  private readonly state: Record<CappedLabel, LabelState>;
  /** Labels that overflowed since the last takeFresh(). */
  private readonly fresh = new Set<CappedLabel>();
  /** Labels that admitted a value since the last takeAdmitted(). */
  private readonly admitted = new Set<CappedLabel>();
  /**
   * What the batch being folded changed, until commit()/abort(): admitted values and the overflow
   * counts before it. fold() runs before the store commits; a failed commit must not burn slots.
   */
  private pending: { admitted: [CappedLabel, string][]; events: Record<CappedLabel, number> } | undefined;

  constructor(
    readonly max: number,
    seed: LabelSeed = {},
  ) {
    const init = (label: CappedLabel): LabelState => {
      const known = new Set<string>();
      for (const v of seed[label] ?? []) {
        if (known.size >= max) break;
        if (v !== OTHER_LABEL_VALUE) known.add(v);
      }
      return { known, events: 0, examples: [] };
    };
    this.state = {
      service: init('service'),
      provider: init('provider'),
      model: init('model'),
      output_label: init('output_label'),
    };
  }

  /**
   * The batch with every over-cap value replaced by `other`. Returns `events` itself when
   * nothing folded (the common case); otherwise a new array whose folded events are copies
   * (the originals, kept for the raw event log, are not mutated).
   */
  fold(events: readonly PricedEvent[]): readonly PricedEvent[] {
    this.pending = {
      admitted: [],
      events: {
        service: this.state.service.events,
        provider: this.state.provider.events,
        model: this.state.model.events,
        output_label: this.state.output_label.events,
      },
    };
    let out: PricedEvent[] | undefined;
    // Hot path: the known sets in locals, and admit() only for a value not seen yet.
    const services = this.state.service.known;
    const providers = this.state.provider.known;
    const models = this.state.model.known;
    const labels = this.state.output_label.known;
    for (let i = 0; i < events.length; i++) {
      const p = events[i] as PricedEvent;
      const e = p.event;
      const service = services.has(e.service) || this.admit('service', e.service);
      const provider = providers.has(e.provider) || this.admit('provider', e.provider);
      const model = models.has(e.model) || this.admit('model', e.model);
      const ol = e.output_label;
      const label = ol === undefined || labels.has(ol) || this.admit('output_label', ol);
      if (service && provider && model && label) {
        out?.push(p);
        continue;
      }
      out ??= events.slice(0, i);
      const folded: LlmEvent = { ...e };
      if (!service) folded.service = OTHER_LABEL_VALUE;
      if (!provider) folded.provider = OTHER_LABEL_VALUE;
      if (!model) folded.model = OTHER_LABEL_VALUE;
      if (!label) folded.output_label = OTHER_LABEL_VALUE;
      out.push({ event: folded, costUsd: p.costUsd });
    }
    return out ?? events;
  }

  /** The folded batch is stored: its admissions stand. */
  commit(): void {
    this.pending = undefined;
  }

  /**
   * The folded batch was not stored: its admitted values leave the known sets (their slots are
   * free again) and its overflow counts are undone. A no-op after commit().
   */
  abort(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    for (const [label, value] of p.admitted) this.state[label].known.delete(value);
    for (const label of CAPPED_LABELS) this.state[label].events = p.events[label];
  }

  /** Labels that overflowed since the previous call, with their totals so far. */
  takeFresh(): LabelOverflow[] {
    if (this.fresh.size === 0) return [];
    const out = [...this.fresh].map((label) => this.overflow(label));
    this.fresh.clear();
    return out;
  }

  /** Every tracked value of `label` if it admitted one since the previous call (to save them), else undefined. */
  takeAdmitted(label: CappedLabel): string[] | undefined {
    if (!this.admitted.delete(label)) return undefined;
    return [...this.state[label].known];
  }

  /** Per label: distinct values tracked and events folded (for /metrics). */
  stats(): { label: CappedLabel; values: number; overflowEvents: number }[] {
    return CAPPED_LABELS.map((label) => ({
      label,
      values: this.state[label].known.size,
      overflowEvents: this.state[label].events,
    }));
  }

  has(label: CappedLabel, value: string): boolean {
    return this.state[label].known.has(value);
  }

  private overflow(label: CappedLabel): LabelOverflow {
    const s = this.state[label];
    return { label, events: s.events, examples: [...s.examples] };
  }

  /** Whether `value` may stay (known, `other`, or admitted now while there is room). */
  private admit(label: CappedLabel, value: string): boolean {
    const s = this.state[label];
    if (s.known.has(value) || value === OTHER_LABEL_VALUE) return true;
    if (s.known.size < this.max) {
      s.known.add(value);
      this.pending?.admitted.push([label, value]);
      this.admitted.add(label);
      return true;
    }
    s.events += 1;
    if (s.examples.length < MAX_OVERFLOW_EXAMPLES && !s.examples.includes(value)) s.examples.push(value);
    this.fresh.add(label);
    return false;
  }
}
