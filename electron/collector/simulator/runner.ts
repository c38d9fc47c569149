/**
 * Turns the pure generator into a stream of POSTs: a fast backfill of history, then a live
 * loop that, every tick, generates the events of the simulated time that has elapsed.
 */
import type { Clock } from '../../../shared/clock.js';
import { MINUTE_MS } from '../../../shared/clock.js';
import { formatTarget } from '../../../shared/sim/index.js';
import type { Traffic } from '../../../shared/sim/index.js';
import type { Sender } from './sender.js';

/** Generate history in slices this long so memory stays flat whatever the backfill length. */
const CHUNK_MS = 10 * MINUTE_MS;

export interface SimulationOptions {
  traffic: Traffic;
  sender: Sender;
  clock: Clock;
  /** Simulated ms per wall ms; live time is capped at the wall clock whatever the speed (see simNow). */
  speed: number;
  tickMs: number;
  /** Backfill waits while more than this many events are buffered (backpressure, no drops). */
  backfillHighWater: number;
  log: (line: string) => void;
}

export class Simulation {
  readonly startWall: number;
  /** Simulated time at which live generation starts (= where the backfill ends). */
  readonly startSim: number;
  generated = 0;
  generatedErrors = 0;
  private nextSim: number;
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopped = false;

  constructor(private readonly o: SimulationOptions) {
    this.startWall = o.clock.now();
    this.startSim = this.startWall;
    this.nextSim = this.startSim;
  }

  /**
   * Simulated now: `speed` times the elapsed wall time, but never past the wall clock. The
   * collector refuses events dated more than ingest.maxFutureSkew ahead of its clock (a whole
   * batch at once), so live traffic from the future would be lost, not early.
   */
  simNow(): number {
    const wall = this.o.clock.now();
    return Math.min(wall, this.startSim + (wall - this.startWall) * this.o.speed);
  }

  /** Posts [fromMs, toMs) of history; resolves when it is all queued (not yet all delivered). */
  async backfill(fromMs: number, toMs: number): Promise<void> {
    const started = performance.now();
    const span = toMs - fromMs;
    let lastPct = -1;
    for (let t = fromMs; t < toMs && !this.stopped; t += CHUNK_MS) {
      await this.o.sender.waitBelow(this.o.backfillHighWater);
      if (this.stopped) return;
      const { events, evals } = this.o.traffic.generate(t, Math.min(toMs, t + CHUNK_MS));
      this.count(events);
      this.o.sender.enqueueEvents(events, { keep: true });
      this.o.sender.enqueueEvals(evals);
      const pct = Math.floor(((Math.min(toMs, t + CHUNK_MS) - fromMs) / span) * 10) * 10;
      if (pct !== lastPct && pct % 20 === 0) {
        lastPct = pct;
        this.o.log(`backfill ${pct}%: ${this.generated} events generated, ${this.o.sender.stats.eventsSent} sent`);
      }
    }
    this.o.log(`backfill generated ${this.generated} events in ${((performance.now() - started) / 1000).toFixed(1)}s`);
  }

  /** Generates and queues everything from the last tick up to the simulated now. */
  tick(): void {
    const now = this.simNow();
    while (this.nextSim < now) {
      const to = Math.min(now, this.nextSim + CHUNK_MS);
      const { events, evals } = this.o.traffic.generate(this.nextSim, to);
      this.count(events);
      this.o.sender.enqueueEvents(events);
      this.o.sender.enqueueEvals(evals);
      this.nextSim = to;
    }
  }

  startLive(): void {
    if (this.stopped) return;
    this.timer ??= setInterval(() => this.tick(), this.o.tickMs);
  }

  /** Stops the live loop and any backfill in progress. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  statusLine(): string {
    const s = this.o.sender.stats;
    const scen = this.o.traffic.active().map((a) => `${a.name}(${formatTarget(a.target)})`);
    return [
      `sent ${s.eventsSent} events`,
      `${s.evalsSent} evals${s.evalsDisabled ? ' (evals off: no /v1/evals)' : ''}`,
      `generated ${this.generated} (${this.generatedErrors} error events)`,
      `buffered ${this.o.sender.buffered}`,
      `post failures ${s.postFailures}`,
      `dropped ${s.dropped}`,
      `scenarios: ${scen.length ? scen.join(' ') : 'none'}`,
    ].join(' | ');
  }

  private count(events: readonly { status: string }[]): void {
    this.generated += events.length;
    for (const e of events) if (e.status === 'error') this.generatedErrors++;
  }
}
