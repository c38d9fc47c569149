import { performance } from 'node:perf_hooks';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../shared/clock.js';
import { createFleet } from '../shared/sim/fleet.js';
import { seriesKeyString } from '../shared/rollup/window.js';
import { removeDir, Replay, tempDir } from '../test/integration/detection-harness.js';
import { QUIET_MONTH_START, quietMonthFleet } from '../test/integration/detection-quiet-cases.js';
const days = Number(process.argv[2] ?? 2);
const dir = tempDir();
const r = new Replay(dir, QUIET_MONTH_START);
const fleet = createFleet(quietMonthFleet());
const T = { gen: 0, store: 0, rules: 0, maint: 0 };
const rr = r as unknown as { now: number; maintenance: { tick(): void }; nextMaintenance: number };
const t0 = performance.now();
for (let t = QUIET_MONTH_START; t < QUIET_MONTH_START + days * DAY_MS; t += HOUR_MS) {
  const end = t + HOUR_MS;
  let s = performance.now();
  const buckets = fleet.generate(t, end);
  T.gen += performance.now() - s;
  rr.now = end;
  const touched = new Map<string, number>();
  let maxTs = -Infinity;
  for (const b of buckets) { const k = seriesKeyString(b); const p = touched.get(k); if (p === undefined || b.minute < p) touched.set(k, b.minute); if (b.minute > maxTs) maxTs = b.minute; }
  s = performance.now();
  r.store.ingestBatch([], buckets, end, maxTs + MINUTE_MS - 1);
  T.store += performance.now() - s;
  s = performance.now();
  r.rules.run(touched, { buckets, events: [] });
  T.rules += performance.now() - s;
  s = performance.now();
  rr.maintenance.tick();
  T.maint += performance.now() - s;
}
console.log(Object.fromEntries(Object.entries(T).map(([k, v]) => [k, (v / 1000).toFixed(1)])), 'total', ((performance.now() - t0) / 1000).toFixed(1), r.alerts().length);
r.close(); removeDir(dir);
