import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CACHE_FILE } from '../../electron/main/services/app-services.js';
import { connectStream, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { startHeadless, type HeadlessHandle } from '../fixtures/headless.js';
import { collectorAlerts, collectorStats, seedAlertLog, until, untilAsync } from './sync-helpers.js';

/**
 * `kill -9` the real headless host while its SyncClient is writing a long replay and live events
 * into the cache; restart it on the same data dir: the cache is intact and the stream resumes from
 * the cache's last seq (the collector logs the resume point), not from 0.
 */
const SEEDED = 30_000;

let collector: CollectorHandle | undefined;
let host: HeadlessHandle | undefined;
const dirs: string[] = [];
afterAll(async () => {
  await host?.stop();
  await collector?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

interface CacheFacts {
  integrity: string;
  lastSeq: number;
  count: number;
  max: number;
}

function readCache(dataDir: string): CacheFacts {
  const db = new Database(join(dataDir, CACHE_FILE), { readonly: true });
  try {
    const integrity = String(db.pragma('integrity_check', { simple: true }));
    const { lastSeq } = db.prepare('SELECT last_seq AS lastSeq FROM sync_state').get() as { lastSeq: number };
    // Alert and incident log entries share the collector's seqs (protocol 5): count both tables.
    const { count, max } = db
      .prepare(
        `SELECT COUNT(*) AS count, COALESCE(MAX(seq), 0) AS max FROM
           (SELECT seq FROM timeline UNION ALL SELECT seq FROM incident_timeline)`,
      )
      .get() as CacheFacts;
    return { integrity, lastSeq, count, max };
  } finally {
    db.close();
  }
}

describe('headless host killed mid-sync', () => {
  it('keeps a consistent cache and resumes from its last seq', async () => {
    const collectorDir = mkdtempSync(join(tmpdir(), 'vigil-hostcrash-c-'));
    const hostDir = mkdtempSync(join(tmpdir(), 'vigil-hostcrash-h-'));
    dirs.push(collectorDir, hostDir);
    seedAlertLog(collectorDir, SEEDED, { alerts: 300, now: Date.now() });
    collector = await startCollector({ dataDir: collectorDir });
    const c = collector;

    // Live traffic on top of the replay: comments keep the log growing while the host syncs.
    const writer = await connectStream(c.url, c.token, { user: 'writer', lastSeq: SEEDED });
    const alertId = (await collectorAlerts(c))[0]?.id ?? '';
    let n = 0;
    let writing = true;
    const live = (async () => {
      while (writing) {
        writer.send({ type: 'command', id: `live-${n}`, kind: 'comment', alertId, note: `live ${n}` });
        const id = `live-${n++}`;
        await writer.waitFor((f) => f.type === 'result' && f.id === id, 5000);
        // Under the collector's per-connection frame rate (50/s): a faster writer is cut off as a flood.
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    host = await startHeadless({ collectorUrl: c.url, collectorToken: c.token, user: 'ana', dataDir: hostDir });
    // Kill it once it has written part of the log, while it is still catching up.
    await untilAsync(
      async () => {
        try {
          return readCache(hostDir).lastSeq > 0;
        } catch {
          return false; // the file may not exist yet
        }
      },
      20_000,
      'the host to start writing',
    );
    await host.kill('SIGKILL');

    const killed = readCache(hostDir);
    expect(killed.integrity).toBe('ok');
    // Position and content committed together: every covered event, none beyond.
    expect(killed.max).toBe(killed.lastSeq);
    expect(killed.count).toBe(killed.lastSeq);
    const headAtKill = (await collectorStats(c)).lastSeq;
    expect(killed.lastSeq).toBeLessThan(headAtKill);

    // Restart on the same data dir: it says hello with the cache's lastSeq.
    host = await startHeadless({ collectorUrl: c.url, collectorToken: c.token, user: 'ana', dataDir: hostDir });
    const resumeLine = new RegExp(`ana \\(peer \\d+\\) resumes after seq ${killed.lastSeq};`);
    await until(() => resumeLine.test(c.output()), 10_000, 'the collector to log the resume point');
    const anaHellos = c.output().match(/ana \(peer \d+\) resumes after seq \d+/g) ?? [];
    expect(anaHellos).toEqual([
      expect.stringMatching(/after seq 0$/),
      expect.stringMatching(new RegExp(`after seq ${killed.lastSeq}$`)),
    ]);

    writing = false;
    await live;
    const head = (await collectorStats(c)).lastSeq;
    expect(head).toBeGreaterThan(SEEDED);
    // (At least head: an incident's ring may be logged meanwhile.)
    await untilAsync(async () => readCache(hostDir).lastSeq >= head, 20_000, 'the host to catch up');
    const done = readCache(hostDir);
    // No gap, no duplicate: seq 1..lastSeq, each once.
    expect(done).toEqual({ integrity: 'ok', lastSeq: done.lastSeq, count: done.lastSeq, max: done.lastSeq });
    expect(done.lastSeq).toBeGreaterThanOrEqual(head);
    await writer.close();
  });
});
