import { toIso } from '../../../../shared/clock.js';
import { RunbookDoc, RunbookListBody } from '../../../../shared/runbooks/schema.js';
import { CollectorPull, type CollectorPullOptions } from '../collector-pull.js';
import type { RunbookCache } from './runbook-cache.js';

export interface RunbookSyncOptions extends CollectorPullOptions {
  cache: RunbookCache;
}

export const RUNBOOK_POLL_MS = 5 * 60_000;
/** A collector listing more than this is broken or hostile; we keep what we have. */
const MAX_RUNBOOKS = 5_000;

export interface RunbookSyncResult {
  fetched: string[];
  removed: string[];
}

/**
 * Keeps the cache's runbooks equal to the collector's: on every connect and every few minutes,
 * list `/v1/runbooks`, fetch only the ids whose content version changed, drop the ids no longer
 * listed. A failed pull changes nothing, so the cached runbooks stay searchable offline.
 */
export class RunbookSync extends CollectorPull<RunbookSyncResult> {
  constructor(private readonly opts: RunbookSyncOptions) {
    super(opts, 'runbook sync', RUNBOOK_POLL_MS);
  }

  protected async pull(): Promise<void> {
    const list = await this.getJson('/v1/runbooks', RunbookListBody);
    if (list.runbooks.length > MAX_RUNBOOKS) throw new Error(`collector lists ${list.runbooks.length} runbooks (max ${MAX_RUNBOOKS})`);
    for (const bad of list.invalid) {
      this.log.warn(`runbook sync: collector skipped invalid ${bad.file} (${bad.problems.length} problem(s))`);
    }
    const have = this.opts.cache.versions();
    const stale = list.runbooks.filter((r) => have.get(r.id) !== r.version);
    const docs: RunbookDoc[] = [];
    for (const r of stale) {
      if (this.disposed) return;
      const doc = await this.getJson(`/v1/runbooks/${encodeURIComponent(r.id)}`, RunbookDoc);
      if (doc.id !== r.id) throw new Error(`GET /v1/runbooks/${r.id} answered with runbook ${doc.id}`);
      docs.push(doc);
    }
    if (this.disposed) return;
    const listed = new Set(list.runbooks.map((r) => r.id));
    const removed = [...have.keys()].filter((id) => !listed.has(id));
    if (docs.length === 0 && removed.length === 0) return;
    this.opts.cache.put(docs, toIso(this.clock.now()));
    this.opts.cache.remove(removed);
    this.emitChanged({ fetched: docs.map((d) => d.id), removed });
  }
}
