/** One numbered schema step. Never edit a shipped migration: add the next number. */
export interface Migration {
  version: number;
  name: string;
  /** SQL run inside the migration's transaction. */
  up: string;
}
