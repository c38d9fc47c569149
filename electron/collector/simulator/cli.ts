/**
 * `npm run simulate -- --url URL --token TOKEN [...]`: posts realistic LLM traffic to a
 * collector. Also bundled by electron-vite and spawned by the desktop app's demo mode, so it
 * uses plain Node APIs only, never assumes a TTY, and is driven through stdin lines (or, as an
 * Electron utility process, which has no stdin, through `process.parentPort` messages).
 */
import { createInterface } from 'node:readline';
import { systemClock } from '../../../shared/clock.js';
import { createTraffic, formatTarget } from '../../../shared/sim/index.js';
import { TOKEN_ENV } from '../../node/tokens.js';
import { USAGE, parseSimArgs } from './args.js';
import type { SimOptions } from './args.js';
import { handleCommand } from './commands.js';
import { listenToParentPort, parentPortOf } from './parent-port.js';
import { fetchDataEnd, resumeFrom } from './resume.js';
import { Sender } from './sender.js';
import { Simulation } from './runner.js';

const PREFIX = 'vigil-sim:';
/** Without --backfill, --once posts this much recent traffic. */
const ONCE_WINDOW_MS = 60_000;
/** --once gives up when the collector stays unreachable this long. */
const ONCE_GIVE_UP_MS = 60_000;
/** Asking where the collector's data ends: attempts, and the pause between them (it may be starting). */
const RESUME_ATTEMPTS = 30;
const RESUME_RETRY_MS = 1_000;

// A parent that closes our pipes must not turn a status line into a crash.
process.stdout.on('error', () => undefined);
process.stderr.on('error', () => undefined);
const out = (line: string): void => void process.stdout.write(`${PREFIX} ${line}\n`);
const err = (line: string): void => void process.stderr.write(`${PREFIX} ${line}\n`);

async function run(o: SimOptions): Promise<number> {
  const clock = systemClock;
  const traffic = createTraffic({
    seed: o.seed,
    baseRatePerSec: o.rate,
    // getTimezoneOffset is minutes *behind* UTC; the generator wants minutes ahead.
    tzOffsetMinutes: o.tzOffsetMinutes ?? -new Date(clock.now()).getTimezoneOffset(),
  });
  let exitCode = 0;
  let shuttingDown: Promise<void> | undefined;
  const sender = new Sender({
    url: o.url,
    token: o.token,
    batchSize: o.batchSize,
    maxBuffer: o.maxBuffer,
    log: out,
    warn: err,
    onFatal: (message) => {
      err(message);
      exitCode = 1;
      void shutdown();
    },
  });
  const sim = new Simulation({
    traffic,
    sender,
    clock,
    speed: o.speed,
    tickMs: o.tickMs,
    backfillHighWater: Math.floor(o.maxBuffer / 2),
    log: out,
  });
  let backfillFrom = sim.startSim - o.backfillMs;
  const fullFrom = backfillFrom;
  for (const s of o.scenarios) {
    const since = o.scenarioSinceMs > 0 ? sim.startSim - o.scenarioSinceMs : sim.startSim;
    traffic.setScenario(s.name, true, { ...(s.target ? { target: s.target } : {}), since });
  }

  const summary = setInterval(() => {
    const dropped = sender.takeDroppedUnreported();
    if (dropped > 0) err(`buffer full (${o.maxBuffer} events): dropped ${dropped} oldest events`);
    out(sim.statusLine());
  }, o.summaryMs);
  const rl = createInterface({ input: process.stdin, terminal: false });
  const onControlLine = (line: string): void => {
    for (const reply of handleCommand(line, {
      traffic,
      simNow: () => sim.simNow(),
      statusLine: () => sim.statusLine(),
    }))
      out(reply);
  };
  // The desktop app's Demo menu, when we run as its utility process.
  const port = parentPortOf(process);
  const stopListening = port ? listenToParentPort(port, onControlLine, err) : () => {};
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const shutdown = (): Promise<void> =>
    (shuttingDown ??= (async () => {
      sim.stop();
      clearInterval(summary);
      rl.close();
      stopListening();
      // Give queued events a moment to land; a stuck collector must not hold up exit.
      const flushed = exitCode === 0 ? await sender.flush(3000) : false;
      await sender.stop();
      out(`stopped: ${sim.statusLine()}${flushed ? '' : ` (${sender.buffered} events not delivered)`}`);
      done();
    })());

  rl.on('line', onControlLine);
  rl.on('close', () => {
    // stdin is often /dev/null under a supervisor: only follow it when asked to.
    if (o.exitOnEof) void shutdown();
  });
  process.once('SIGTERM', () => void shutdown());
  process.once('SIGINT', () => void shutdown());

  const active = traffic.active().map((a) => `${a.name}(${formatTarget(a.target)})`);
  out(
    `posting to ${o.url} at ${o.rate} req/s peak, seed ${o.seed}` +
      (o.backfillMs ? `, backfill ${o.backfillMs / 60_000} min` : '') +
      (o.speed !== 1 ? `, speed ${o.speed}x` : '') +
      `; scenarios: ${active.length ? active.join(' ') : 'none'}`,
  );
  sender.start();
  if (o.backfillMs > 0 && !o.fullBackfill) {
    const from = await resumePoint(o, backfillFrom, sim.startSim, () => shuttingDown !== undefined);
    if (from === 'fatal') {
      exitCode = 1;
      void shutdown();
    } else backfillFrom = from;
  }
  // Stopped (or the token was refused) while asking: nothing to post.
  if (shuttingDown) await finished;
  else if (o.once) {
    const from = o.backfillMs > 0 ? backfillFrom : sim.startSim - ONCE_WINDOW_MS;
    await sim.backfill(from, sim.startSim);
    if (o.historyMs > 0 && backfillFrom === fullFrom) await sim.backfill(fullFrom - o.historyMs, fullFrom);
    while (!shuttingDown && sender.buffered > 0) {
      await sender.flush(500);
      if (sender.failingSince !== undefined && performance.now() - sender.failingSince > ONCE_GIVE_UP_MS) {
        err(`collector unreachable for ${ONCE_GIVE_UP_MS / 1000}s; giving up`);
        exitCode = 1;
        break;
      }
    }
    // Evals are queued after their events; let them go too.
    if (!shuttingDown && exitCode === 0) await sender.flush(5000);
    void shutdown();
  } else {
    if (o.backfillMs > 0) await sim.backfill(backfillFrom, sim.startSim);
    if (!shuttingDown) {
      sim.tick();
      sim.startLive();
      out('live');
      // Older history after the recent span: the page fires as soon as ever, the long charts fill meanwhile.
      if (o.historyMs > 0 && backfillFrom === fullFrom) {
        await sim.backfill(fullFrom - o.historyMs, fullFrom);
        out('history posted');
      }
    }
  }
  await finished;
  return exitCode;
}

/**
 * Where the backfill starts: just after the collector's newest event when it has some inside the
 * span (see resume.ts), else the span's start. 'fatal' when the collector refuses the token.
 */
async function resumePoint(o: SimOptions, from: number, to: number, stopped: () => boolean): Promise<number | 'fatal'> {
  let last = '';
  for (let attempt = 1; attempt <= RESUME_ATTEMPTS && !stopped(); attempt++) {
    const end = await fetchDataEnd(o.url, o.token);
    if (end.kind === 'unauthorized') {
      err(end.message);
      return 'fatal';
    }
    if (end.kind === 'known') {
      const start = resumeFrom(from, to, end.lastEventTs);
      if (start > from) {
        out(
          `collector has data up to ${new Date(end.lastEventTs ?? from).toISOString()}: ` +
            `backfilling only the ${Math.round((to - start) / 60_000)} min after it (--full-backfill posts the whole span)`,
        );
      }
      return start;
    }
    last = end.message;
    if (!end.retry) break;
    await new Promise((r) => setTimeout(r, RESUME_RETRY_MS));
  }
  if (stopped()) return from;
  err(`cannot tell where the collector's data ends (${last}); backfilling the whole span`);
  return from;
}

function main(): void {
  const parsed = parseSimArgs(process.argv.slice(2), { env: process.env });
  // Read once; nothing we start should inherit it.
  delete process.env[TOKEN_ENV];
  if (parsed.kind === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (parsed.kind === 'error') {
    process.stderr.write(`${PREFIX} ${parsed.message}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  run(parsed.options).then(
    (code) => process.exit(code),
    (e: unknown) => {
      err(`crashed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exit(1);
    },
  );
}

main();
