import type { Migration } from './migration.js';

/**
 * Escalation deadlines (issue 6): one row per page with its pure state (shared/escalation
 * PageState as JSON) and the earliest due time, so the scheduler arms one timer from an index
 * and a restart resumes every deadline from disk.
 */
export const m0004Escalations: Migration = {
  version: 4,
  name: 'escalations',
  up: `
    CREATE TABLE escalations (
      alert_id TEXT PRIMARY KEY,
      state_json TEXT NOT NULL,
      due_at INTEGER            -- NULL: nothing will happen on its own (acknowledged, resolved)
    ) WITHOUT ROWID;
    CREATE INDEX escalations_due ON escalations(due_at) WHERE due_at IS NOT NULL;
  `,
};
