import type Database from 'better-sqlite3';
import { migration0001 } from './0001-initial.js';

export interface Migration {
  /** Strictly increasing; recorded in schema_migrations once applied. */
  version: number;
  name: string;
  up(db: Database.Database): void;
}

/** Every migration, oldest first. Append only: never edit one that has shipped. */
export const migrations: readonly Migration[] = [migration0001];
