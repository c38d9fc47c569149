import { afterAll, describe, expect, it } from 'vitest';
import { minuteFloor } from '../../shared/clock.js';
import type { LlmEventInput } from '../../shared/protocol/events.js';
import { connectStream, errorBurst, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { collectorAlerts, collectorStats, Desktops, until } from './sync-helpers.js';

/**
 * `kill -9` the collector in the middle of a 100,000-event burst that raises about 500 alerts:
 * whatever it answered 2xx for survives, and a desktop resumes to exactly the collector's state.
 */
const SERIES = 500;
const MINUTES = 10;
const PER_MINUTE = 20; // 500 series × 10 min × 20 = 100,000 events
const BATCH = 2_500;
const CONCURRENCY = 2;
const KILL_AFTER_EVENTS = 50_000;

// A small window and `for`, so 20 requests a minute per series can page (≥ 10 samples).
const CONFIG = `
rules:
  errorRate:
    window: 2m
    minSamples: 10
    for: 2m
`;

function burst(startMs: number): LlmEventInput[] {
  const all: LlmEventInput[] = [];
  for (let i = 0; i < SERIES; i++) {
    const events = errorBurst({
      service: `svc-${Math.floor(i / 10)}`,
      provider: 'openai',
      model: `model-${i % 10}`,
      startMs: startMs + (i % 60) * 50, // spread series inside each slot
      minutes: MINUTES,
      perMinute: PER_MINUTE,
      errorRate: 0.3,
    });
    // Series start failing at different minutes, so alerts keep firing all through the burst.
    const healthyUntil = startMs + (i % 6) * 60_000;
    for (const e of events) {
      if (Number(e.ts) < healthyUntil && e.status === 'error') {
        e.status = 'ok';
        delete e.error_type;
        delete e.error_message;
      }
      all.push(e);
    }
  }
  // Event-time order, as live traffic arrives.
  return all.sort((a, b) => Number(a.ts) - Number(b.ts));
}

let collector: CollectorHandle | undefined;
const desktops = new Desktops();
afterAll(async () => {
  desktops.disposeAll();
  await collector?.stop();
});

describe('collector killed mid-burst', () => {
  it('keeps every event and alert it acknowledged, and the desktop converges on its state', async () => {
    const t0 = performance.now();
    collector = await startCollector({ configYaml: CONFIG });
    const c = collector;
    const events = burst(minuteFloor(Date.now()) - 30 * 60_000);
    expect(events).toHaveLength(100_000);
    const batches: string[] = [];
    for (let i = 0; i < events.length; i += BATCH) batches.push(JSON.stringify(events.slice(i, i + BATCH)));

    const desktop = desktops.open(c, 'ana');
    // A raw stream watcher: the alerts the collector published before it died.
    const watcher = await connectStream(c.url, c.token, { user: 'watcher' });

    let acked = 0;
    const ackedBatches = new Set<number>();
    let next = 0;
    let killed = false;
    const post = async (i: number): Promise<boolean> => {
      try {
        const res = await fetch(`${c.url}/v1/events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
          body: batches[i],
        });
        await res.arrayBuffer();
        if (res.status !== 200) throw new Error(`ingest answered ${res.status}`);
        return true;
      } catch (err) {
        if (killed) return false; // the connection died with the collector: not acknowledged
        throw err;
      }
    };
    const sender = async (): Promise<void> => {
      while (!killed) {
        const i = next++;
        if (i >= batches.length) return;
        if (await post(i)) {
          ackedBatches.add(i);
          acked += BATCH;
        }
      }
    };
    const senders = Array.from({ length: CONCURRENCY }, () => sender());
    await until(() => acked >= KILL_AFTER_EVENTS, 30_000, 'half the burst to be acknowledged');
    killed = true;
    // kill -9 while the other sender's request is in flight.
    await c.kill('SIGKILL');
    await Promise.all(senders);
    const ackedBeforeKill = acked;
    const seenAlerts = new Set(
      watcher.frames.filter((f) => f.type === 'event' && f.kind === 'fired').map((f) => String(f.alertId)),
    );
    const seenLastSeq = Math.max(0, ...watcher.frames.filter((f) => f.type === 'event').map((f) => Number(f.seq)));
    expect(seenAlerts.size).toBeGreaterThan(0);

    await c.restart();
    const after = await collectorStats(c);
    // Every event answered 2xx is in SQLite; at most the in-flight batches beyond.
    expect(after.events).toBeGreaterThanOrEqual(ackedBeforeKill);
    expect(after.events).toBeLessThanOrEqual(ackedBeforeKill + CONCURRENCY * BATCH);
    expect(after.events % BATCH).toBe(0);
    // Every alert published before the kill is there, and the log did not go backwards.
    const alertsAfter = new Set((await collectorAlerts(c)).map((a) => a.id));
    for (const id of seenAlerts) expect(alertsAfter.has(id)).toBe(true);
    expect(after.lastSeq).toBeGreaterThanOrEqual(seenLastSeq);

    // Finish the burst: the batches not acknowledged (the sender would retry them).
    killed = false;
    const remaining = batches.map((_, i) => i).filter((i) => !ackedBatches.has(i));
    const committedInFlight = (after.events - ackedBeforeKill) / BATCH;
    for (const i of remaining) {
      expect(await post(i)).toBe(true);
      acked += BATCH;
    }
    const final = await collectorStats(c);
    expect(final.events).toBe(100_000 + committedInFlight * BATCH);
    expect(final.alerts).toBeGreaterThanOrEqual(450);
    expect(final.alerts).toBeLessThanOrEqual(SERIES);

    // The desktop resumed by itself and holds exactly the collector's state.
    // (At least: an incident's ring may be logged after `final` was read.)
    await until(() => desktop.cache.syncState().lastSeq >= final.lastSeq, 20_000, 'the desktop to catch up');
    const collectorSide = await collectorAlerts(c);
    const cacheSide = desktop.cache.listAlerts();
    expect(cacheSide).toHaveLength(collectorSide.length);
    const byId = new Map(cacheSide.map((a) => [a.id, a]));
    for (const a of collectorSide) expect(byId.get(a.id)).toEqual(a);

    // Timelines: the full log, replayed to a fresh stream client, equals the cache's timeline.
    const full = await connectStream(c.url, c.token, { user: 'auditor', lastSeq: 0 });
    // The log's last entry may be an incident's (protocol 5: one seq space).
    await full.waitFor((f) => (f.type === 'event' || f.type === 'incident') && f.seq === final.lastSeq, 10_000);
    const log = full.frames.filter((f) => f.type === 'event');
    expect(new Set(log.map((f) => f.seq)).size).toBe(log.length);
    const logByAlert = new Map<string, [number, string][]>();
    for (const f of log) {
      const list = logByAlert.get(String(f.alertId)) ?? [];
      list.push([Number(f.seq), String(f.kind)]);
      logByAlert.set(String(f.alertId), list);
    }
    let timelineEntries = 0;
    for (const a of collectorSide) {
      const timeline = desktop.cache.getAlert(a.id)?.timeline ?? [];
      timelineEntries += timeline.length;
      expect(timeline.map((t) => [t.seq, t.kind])).toEqual(logByAlert.get(a.id));
    }
    expect(timelineEntries).toBe(log.length);
    await full.close();
    await watcher.close();
    process.stdout.write(
      `collector crash: ${ackedBeforeKill} events acked before kill, ${final.alerts} alerts, ${final.lastSeq} log events, ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
    );
  });
});
