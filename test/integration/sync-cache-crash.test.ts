import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'vigil-crash-'));
const dbPath = join(dir, 'cache.db');

/** A writer that applies stream events in a loop, as the SyncClient does during a replay, until killed. */
const WRITER = `
import { openCache } from './electron/main/services/cache/index.ts';
const cache = openCache(process.env.DB, { now: new Date().toISOString() });
let seq = cache.syncState().lastSeq;
const alert = (i) => ({ id: 'a' + (i % 50), ruleId: 'r', tier: 'page', status: 'firing', source: 'rules',
  summary: 'x'.repeat(500) + i, labels: {}, firedAt: '2026-01-01T00:00:00.000Z' });
let announced = false;
for (;;) {
  const batch = [];
  for (let i = 0; i < 200; i++) { seq++; batch.push({ type: 'event', seq, at: '2026-01-01T00:00:00.000Z', alertId: alert(seq).id, kind: 'updated', alert: alert(seq) }); }
  cache.applyEvents(batch, new Date().toISOString());
  if (!announced) { announced = true; process.stdout.write('writing\\n'); }
}
`;

async function runAndKill(afterMs: number): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', WRITER], {
    cwd: ROOT,
    env: { ...process.env, DB: dbPath },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((done, fail) => {
    child.stdout.once('data', () => done());
    child.once('exit', (code) => fail(new Error(`writer exited early (${code})`)));
  });
  await new Promise((r) => setTimeout(r, afterMs));
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('cache crash safety', () => {
  it('a writer killed mid-transaction leaves lastSeq equal to the events it covers', async () => {
    for (const ms of [50, 170, 333]) {
      await runAndKill(ms);
      const db = new Database(dbPath);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const { lastSeq } = db.prepare('SELECT last_seq AS lastSeq FROM sync_state').get() as { lastSeq: number };
      const { n, max } = db.prepare('SELECT COUNT(*) AS n, MAX(seq) AS max FROM timeline').get() as {
        n: number;
        max: number;
      };
      expect(lastSeq).toBeGreaterThan(0);
      // Every covered event is there, none beyond: batches commit whole or not at all.
      expect(max).toBe(lastSeq);
      expect(n).toBe(lastSeq);
      expect(lastSeq % 200).toBe(0);
      db.close();
    }
  });
});
