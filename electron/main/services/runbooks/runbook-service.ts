import type { ApiFailure, CommandRequest, OutboxItem, RecordStepRequest } from '../../../../shared/protocol/api.js';
import { describeWalk, runbookForAlert } from '../../../../shared/runbooks/match.js';
import type { RunbookDoc, RunbookHit, RunbookSummary } from '../../../../shared/runbooks/schema.js';
import type { Cache } from '../cache/index.js';
import type { RunbookCache } from './runbook-cache.js';

export type RunbookResult<T> = { ok: true; result: T } | { ok: false; error: ApiFailure };

/** The `runbooks.*` Api calls, answered from the cache so they work with the collector down. */
export interface RunbookSource {
  list(): RunbookSummary[];
  get(id: string): RunbookDoc | null;
  search(query: string, limit?: number): RunbookHit[];
  forAlert(alertId: string): RunbookDoc | null;
  recordStep(req: RecordStepRequest): RunbookResult<{ commandId: string; note: string }>;
  onChanged(listener: (ids: string[]) => void): () => void;
}

export interface RunbookServiceDeps {
  cache: Cache;
  runbooks: RunbookCache;
  /** The services' Outbox: commands are stored before they are sent. */
  outbox: { enqueue(req: CommandRequest): OutboxItem };
  onChanged(listener: (ids: string[]) => void): () => void;
}

/**
 * A walked path must be one a person could have clicked: it starts at the first step and each
 * next step is a branch target of the one before. Returns a failure message, or null.
 */
export function invalidPath(doc: RunbookDoc, path: readonly string[], outcome?: 'stop' | 'escalate'): string | null {
  const steps = new Map(doc.tree.steps.map((s) => [s.id, s]));
  if (path[0] !== doc.tree.steps[0]?.id) return `path: a walk starts at step ${doc.tree.steps[0]?.id ?? '1'}`;
  for (let i = 0; i < path.length; i++) {
    const step = steps.get(path[i] ?? '');
    if (!step) return `path[${i}]: runbook ${doc.id} has no step ${path[i]}`;
    const next = path[i + 1];
    if (next !== undefined && !step.branches.some((b) => b.target.kind === 'step' && b.target.step === next)) {
      return `path[${i + 1}]: step ${step.id} has no branch to step ${next}`;
    }
    if (next === undefined && outcome && !step.branches.some((b) => b.target.kind === outcome)) {
      return `outcome: step ${step.id} has no "${outcome}" branch`;
    }
  }
  return null;
}

export function createRunbookSource(deps: RunbookServiceDeps): RunbookSource {
  const { cache, runbooks, outbox } = deps;
  return {
    list: () => runbooks.list(),
    get: (id) => runbooks.get(id),
    search: (query, limit) => runbooks.search(query, limit),
    forAlert(alertId) {
      const detail = cache.getAlert(alertId);
      if (!detail) return null;
      const id = runbookForAlert(detail.alert, runbooks.list());
      return id === null ? null : runbooks.get(id);
    },
    recordStep(req) {
      if (!cache.hasAlert(req.alertId)) return { ok: false, error: { code: 'not_found', message: `no alert ${req.alertId} in the cache` } };
      const doc = runbooks.get(req.runbookId);
      if (!doc) return { ok: false, error: { code: 'not_found', message: `no runbook ${req.runbookId} in the cache` } };
      const problem = invalidPath(doc, req.path, req.outcome);
      if (problem) return { ok: false, error: { code: 'invalid_field', message: problem } };
      const note = describeWalk(doc.id, req.path, req.outcome);
      // A comment through the outbox: it reaches the collector's timeline even if made offline.
      const item = outbox.enqueue({ kind: 'comment', alertId: req.alertId, note });
      return { ok: true, result: { commandId: item.id, note } };
    },
    onChanged: deps.onChanged,
  };
}
