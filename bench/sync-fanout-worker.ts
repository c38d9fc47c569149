import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { createAppServices, silentLogger, type AppServices } from '../electron/main/services/index.js';

/**
 * One process of desktops for the fan-out bench (bench/sync.ts): `count` independent AppServices,
 * each on its own SQLite cache, as 50 laptops would be. Talks to the parent over the fork IPC
 * channel. Times are `performance.timeOrigin + performance.now()`: a wall-clock base with
 * sub-millisecond resolution, comparable across the bench's processes.
 */

const ToWorker = z.discriminatedUnion('type', [
  z.object({ type: z.literal('open'), url: z.string(), token: z.string(), users: z.array(z.string()) }),
  z.object({ type: z.literal('watch'), round: z.number().int(), service: z.string() }),
  z.object({ type: z.literal('close') }),
]);
type ToWorker = z.infer<typeof ToWorker>;

/** Per client and round: when the event frame's batch began to apply, and when it was committed. */
export interface Arrival {
  client: string;
  applyStart: number;
  committed: number;
}
export type FromWorker =
  | { type: 'connected' }
  | { type: 'watching'; round: number }
  | { type: 'arrived'; round: number; arrivals: Arrival[]; cpuMs: number }
  | { type: 'closed' };

const wallNow = (): number => performance.timeOrigin + performance.now();
const send = (m: FromWorker): void => void process.send?.(m);

const apps: { user: string; app: AppServices; dir: string }[] = [];

function open(url: string, token: string, users: string[]): void {
  for (const user of users) {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-desktop-'));
    const app = createAppServices({ collectorUrl: url, collectorToken: token, user, dataDir: dir, log: silentLogger });
    apps.push({ user, app, dir });
    app.start();
  }
  // Connected, and each desktop's first pulls (runbooks, charts, rotation) done: what follows
  // measures alerts, not a start-up burst of 50 desktops fetching everything at once.
  const poll = (): void => {
    if (!apps.every((a) => a.app.sync.status().state === 'connected')) {
      setTimeout(poll, 10);
      return;
    }
    const pulls = apps.flatMap(({ app }) => [app.runbookSync.idle(), app.seriesSync.idle(), app.rotationSync.idle()]);
    void Promise.all(pulls).then(() => send({ type: 'connected' }));
  };
  poll();
}

/** Wraps each cache's applyEvents to note when the batch holding the round's alert was committed. */
function watch(round: number, service: string): void {
  const arrivals: Arrival[] = [];
  const cpuAtWatch = process.cpuUsage();
  for (const { user, app } of apps) {
    const cache = app.cache;
    const original = cache.applyEvents.bind(cache);
    cache.applyEvents = (events, syncedAt) => {
      const applyStart = wallNow();
      const changed = original(events, syncedAt);
      if (events.some((e) => e.type === 'event' && e.kind === 'fired' && e.alert.labels.service === service)) {
        arrivals.push({ client: user, applyStart, committed: wallNow() });
        cache.applyEvents = original;
        if (arrivals.length === apps.length) {
          const cpu = process.cpuUsage(cpuAtWatch);
          send({ type: 'arrived', round, arrivals, cpuMs: (cpu.user + cpu.system) / 1000 });
        }
      }
      return changed;
    };
  }
  send({ type: 'watching', round });
}

process.on('message', (raw: unknown) => {
  const msg: ToWorker = ToWorker.parse(raw);
  if (msg.type === 'open') open(msg.url, msg.token, msg.users);
  else if (msg.type === 'watch') watch(msg.round, msg.service);
  else {
    for (const a of apps) {
      a.app.dispose();
      rmSync(a.dir, { recursive: true, force: true });
    }
    process.send?.({ type: 'closed' } satisfies FromWorker, () => process.exit(0));
  }
});
