import type Database from 'better-sqlite3';
import { migration0001 } from './0001-initial.js';
import { migration0003 } from './0003-runbooks.js';
import { migration0004 } from './0004-chart-rollups.js';
import { migration0005 } from './0005-rotation.js';
import { migration0006 } from './0006-chart-tiers.js';
import { migration0007 } from './0007-incidents.js';
import { migration0008 } from './0008-chart-rules.js';
import { migration0009 } from './0009-health.js';
import { migration0010 } from './0010-postmortems.js';

export interface Migration {
  /** Strictly increasing; recorded in schema_migrations once applied. */
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/** Every migration, oldest first. Append only: never edit one that has shipped. */
export const migrations: readonly Migration[] = [
  migration0001,
  migration0003,
  migration0004,
  migration0005,
  migration0006,
  migration0007,
  migration0008,
  migration0009,
  migration0010,
];
