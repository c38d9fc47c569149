import type { Clock } from '../../../shared/clock.js';
import type { EvalResult } from '../../../shared/protocol/evals.js';
import type { IngestMetrics } from '../ingest/ingest-metrics.js';
import type { EvalOrigin } from '../store/evals-store.js';
import type { CollectorStore } from '../store/store.js';

export type EvalRunsListener = (runs: readonly EvalResult[]) => void;

/**
 * Stores eval runs (from POST /v1/evals and from the scheduler) and tells listeners after the
 * commit: the eval-accuracy rule subscribes here to evaluate as soon as a run lands.
 */
export class EvalRecorder {
  private readonly listeners = new Set<EvalRunsListener>();

  constructor(
    private readonly store: CollectorStore,
    private readonly clock: Clock,
    private readonly metrics: IngestMetrics,
    private readonly log: (msg: string) => void,
  ) {}

  onRecorded(listener: EvalRunsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(runs: readonly EvalResult[], origin: EvalOrigin): void {
    if (runs.length === 0) return;
    this.store.evals.insertEvalRuns(runs, origin, this.clock.now());
    this.metrics.evalRuns.inc({ origin, outcome: 'ok' }, runs.length);
    for (const l of this.listeners) {
      try {
        l(runs);
      } catch (err) {
        // The runs are committed; a failing listener must not turn that into an error answer.
        this.log(`eval listener failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }
}
