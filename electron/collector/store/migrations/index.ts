import type { Migration } from './migration.js';
import { m0001Initial } from './0001-initial.js';

/** In order; `migrate()` applies those above the recorded version. */
export const MIGRATIONS: readonly Migration[] = [m0001Initial];
