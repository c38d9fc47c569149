import type { Migration } from './migration.js';
import { m0001Initial } from './0001-initial.js';
import { m0002EvalsIntegrations } from './0002-evals-integrations.js';
import { m0003RollupHistory } from './0003-rollup-history.js';
import { m0004Escalations } from './0004-escalations.js';
import { m0006EventBatches } from './0006-event-batches.js';
import { m0007RotationOverrides } from './0007-rotation-overrides.js';
import { m0008EventsBatchMaxTs } from './0008-events-batch-max-ts.js';
import { m0009Incidents } from './0009-incidents.js';
import { m0010RotationOverrideRemoval } from './0010-rotation-override-removal.js';
import { m0011Health } from './0011-health.js';
import { m0012Postmortems } from './0012-postmortems.js';
import { m0013HealthPmIndexes } from './0013-health-pm-indexes.js';

/** In order; `migrate()` applies those not yet recorded. */
export const MIGRATIONS: readonly Migration[] = [
  m0001Initial,
  m0002EvalsIntegrations,
  m0003RollupHistory,
  m0004Escalations,
  m0006EventBatches,
  m0007RotationOverrides,
  m0008EventsBatchMaxTs,
  m0009Incidents,
  m0010RotationOverrideRemoval,
  m0011Health,
  m0012Postmortems,
  m0013HealthPmIndexes,
];
