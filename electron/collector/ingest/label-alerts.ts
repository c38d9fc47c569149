import { DAY_MS, type Clock } from '../../../shared/clock.js';
import type { Alert } from '../../../shared/protocol/alert.js';
import type { AlertService } from '../alerts/alert-service.js';
import type { CollectorStore } from '../store/store.js';
import type { CappedLabel, LabelOverflow } from './label-cap.js';

/** The ticket a label over its cap raises (runbooks/label-cardinality.md). */
export const LABEL_CARDINALITY = {
  ruleId: 'label-cardinality',
  runbookId: 'label-cardinality',
  tier: 'ticket',
} as const;

/** After a label's ticket, at most one more for that label within this time (a resolved one included). */
export const LABEL_ALERT_REARM_MS = DAY_MS;

/** Overflowed values quoted in the summary, each cut to this many characters. */
const EXAMPLE_CHARS = 40;

interface Latest {
  id: string;
  firedAt: number;
}

/**
 * One `label-cardinality` ticket per label that went over `ingest.maxLabelValues`. It does not
 * resolve by itself: the known-value set only grows while the collector runs, so the condition
 * does not clear until someone acts (fixes the sender, raises the cap). A person resolves it;
 * if the label still overflows, a new ticket opens, at most one per label per
 * LABEL_ALERT_REARM_MS. Raised after the batch commits, in its own durable transaction.
 */
export class LabelCardinalityAlerts {
  /** Newest ticket per label; loaded from the store on first use (restart). */
  private latest: Map<string, Latest> | undefined;

  constructor(
    private readonly alerts: AlertService,
    private readonly store: CollectorStore,
    private readonly clock: Clock,
    private readonly max: number,
  ) {}

  /** Raises a ticket for each overflowed label that has no open (or recent) one. Returns those raised. */
  raise(overflows: readonly LabelOverflow[]): Alert[] {
    if (overflows.length === 0) return [];
    const latest = this.load();
    const now = this.clock.now();
    const due = overflows.filter((o) => {
      const l = latest.get(o.label);
      if (!l) return true;
      if (now - l.firedAt < LABEL_ALERT_REARM_MS) return false;
      const a = this.store.getAlert(l.id);
      return a === undefined || a.status === 'resolved';
    });
    if (due.length === 0) return [];
    return this.alerts.transact(() =>
      due.map((o) => {
        const alert = this.alerts.fire({
          ruleId: LABEL_CARDINALITY.ruleId,
          tier: LABEL_CARDINALITY.tier,
          source: 'rules',
          summary: summaryOf(o, this.max),
          labels: { label: o.label },
          runbookId: LABEL_CARDINALITY.runbookId,
          firedAt: now,
        });
        latest.set(o.label, { id: alert.id, firedAt: now });
        return alert;
      }),
    );
  }

  private load(): Map<string, Latest> {
    if (this.latest) return this.latest;
    const latest = new Map<string, Latest>();
    // Newest first: the first ticket seen per label is its latest.
    for (const a of this.store.listAlerts()) {
      const label = a.labels['label'];
      if (a.ruleId !== LABEL_CARDINALITY.ruleId || label === undefined || latest.has(label)) continue;
      latest.set(label, { id: a.id, firedAt: Date.parse(a.firedAt) });
    }
    this.latest = latest;
    return latest;
  }
}

function quote(v: string): string {
  const cut = v.length > EXAMPLE_CHARS ? `${v.slice(0, EXAMPLE_CHARS)}…` : v;
  // JSON quoting: a newline or control character in a sender's value cannot break the summary.
  return JSON.stringify(cut);
}

export function summaryOf(o: { label: CappedLabel; examples: readonly string[] }, max: number): string {
  const eg = o.examples.length > 0 ? ` (e.g. ${o.examples.map(quote).join(', ')})` : '';
  return (
    `label "${o.label}" has more than ${max} distinct values: new values${eg} are counted as "other" ` +
    `(ingest.maxLabelValues)`
  );
}
