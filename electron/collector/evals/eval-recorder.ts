import type { Clock } from '../../../shared/clock.js';
import { DEFAULT_MAX_EVAL_SUITES } from '../../../shared/config/collector-config.js';
import type { EvalResult } from '../../../shared/protocol/evals.js';
import { HttpError } from '../http/http-error.js';
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
  /** Every suite stored so far (loaded on first use): one Set lookup per run for the cap. */
  private suites: Set<string> | undefined;

  constructor(
    private readonly store: CollectorStore,
    private readonly clock: Clock,
    private readonly metrics: IngestMetrics,
    private readonly log: (msg: string) => void,
    /** `evals.maxSuites`: distinct suites checkSuites() lets in. */
    readonly maxSuites: number = DEFAULT_MAX_EVAL_SUITES,
  ) {}

  /**
   * Throws a 400 naming the first run (`fieldOf(i)`, e.g. `[3].suite`) whose suite is new and
   * would go past `maxSuites`; the batch is atomic, so nothing is stored then.
   */
  checkSuites(runs: readonly EvalResult[], fieldOf: (i: number) => string): void {
    const known = this.knownSuites();
    let fresh: Set<string> | undefined;
    for (let i = 0; i < runs.length; i++) {
      const suite = (runs[i] as EvalResult).suite;
      if (known.has(suite) || fresh?.has(suite)) continue;
      fresh ??= new Set();
      fresh.add(suite);
      if (known.size + fresh.size <= this.maxSuites) continue;
      const field = fieldOf(i);
      throw new HttpError(
        400,
        'invalid_field',
        `${field}: suite ${JSON.stringify(suite.slice(0, 100))} would be a new suite beyond the ${this.maxSuites} ` +
          `distinct suites allowed (evals.maxSuites; ${known.size} stored); report under an existing suite or raise the limit`,
        field,
      );
    }
  }

  private knownSuites(): Set<string> {
    this.suites ??= new Set(this.store.evals.evalSuites());
    return this.suites;
  }

  onRecorded(listener: EvalRunsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  record(runs: readonly EvalResult[], origin: EvalOrigin): void {
    if (runs.length === 0) return;
    this.store.evals.insertEvalRuns(runs, origin, this.clock.now());
    if (this.suites) for (const r of runs) this.suites.add(r.suite);
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
