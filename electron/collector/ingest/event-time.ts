import { DAY_MS, HOUR_MS, MINUTE_MS, toIso, type Clock } from '../../../shared/clock.js';
import { DEFAULT_MAX_FUTURE_SKEW_MS } from '../../../shared/config/collector-config.js';
import { MICROS_LIKE_ABOVE } from '../../../shared/protocol/events.js';
import { HttpError } from '../http/http-error.js';

/**
 * The event-time high-water mark as reported and used (rules' watermark, `/v1/stats`
 * lastEventTs): never past the collector's clock, even though rows up to the allowed skew ahead
 * may be stored. Pure, so the store can use it without the guard.
 */
export function watermarkAt(maxEventTs: number | undefined, now: number): number | undefined {
  return maxEventTs === undefined ? undefined : Math.min(maxEventTs, now);
}

/**
 * The one clock check on event time (issue 11): every door that carries a timestamp into the
 * rollups and rules (POST /v1/events, OTLP spans, POST /v1/evals) refuses a time more than
 * `ingest.maxFutureSkew` ahead of the collector's clock. The zod schemas only know what is sane
 * at all (1970..9999); "ahead of now" needs the injected clock, so it lives here.
 */
export class EventTimeGuard {
  constructor(
    private readonly clock: Clock,
    readonly maxFutureSkewMs: number = DEFAULT_MAX_FUTURE_SKEW_MS,
    /** Called once per refused timestamp (the /metrics counter). */
    private readonly onRefused: (n: number) => void = () => undefined,
  ) {}

  /** The newest event time accepted right now (ingest doors and the rules share this one ceiling). */
  ceiling(): number {
    return this.clock.now() + this.maxFutureSkewMs;
  }

  /** The stored high-water mark as the rules and `/v1/stats` see it: never past the clock. */
  watermark(maxEventTs: number | undefined): number | undefined {
    return watermarkAt(maxEventTs, this.clock.now());
  }

  /**
   * A sender's own time for an alert (Events-v2 `timestamp`, Alertmanager `startsAt`/`endsAt`):
   * kept when sane, i.e. after 1970 and within the allowed skew ahead (then at most now, so an
   * alert never "fires in the future"); anything else is the collector's clock. A page must
   * never be refused for its sender's clock, and a far-future time stored on an alert (or its
   * log entry) breaks the desktop's schema and pins log pruning.
   */
  senderTime(ts: number | undefined): number {
    const now = this.clock.now();
    if (ts === undefined || !Number.isFinite(ts) || ts <= 0 || ts > now + this.maxFutureSkewMs) return now;
    return Math.min(ts, now);
  }

  /** Why `ts` is refused (a sentence without the field name), or undefined when it is acceptable. */
  problem(ts: number, ceiling = this.ceiling()): string | undefined {
    if (ts <= ceiling) return undefined;
    const now = ceiling - this.maxFutureSkewMs;
    // ISO input is normalised before this check, so the unit hint can only be conditional.
    const hint =
      ts > MICROS_LIKE_ABOVE ? '; if sent as a number it looks like epoch microseconds, not milliseconds' : '';
    return (
      `${isoOrNumber(ts)} (${ts}) is ${describeAhead(ts - now)} ahead of the collector's clock (${toIso(now)}); ` +
      `the limit is ${describeAhead(this.maxFutureSkewMs)} (ingest.maxFutureSkew)${hint}`
    );
  }

  /**
   * Throws a 400 naming the first item too far ahead (the batch is atomic); `fieldOf(i)` names
   * item i's `ts` the way the body's other errors do (`[3].ts`, `ts`, `line 4: ts`).
   */
  check(items: readonly { ts: number }[], fieldOf: (i: number) => string = (i) => `[${i}].ts`): void {
    const ceiling = this.ceiling();
    for (let i = 0; i < items.length; i++) {
      const ts = (items[i] as { ts: number }).ts;
      if (ts <= ceiling) continue;
      const field = fieldOf(i);
      this.onRefused(1);
      throw new HttpError(400, 'invalid_field', `${field}: ${this.problem(ts, ceiling) ?? ''}`, field);
    }
  }

  /** Counts refusals made elsewhere (OTLP spans answered through partial success). */
  refused(n: number): void {
    if (n > 0) this.onRefused(n);
  }
}

/** The largest time a JS Date holds; beyond it toISOString throws. */
const MAX_DATE_MS = 8.64e15;

function isoOrNumber(ms: number): string {
  return Math.abs(ms) <= MAX_DATE_MS ? toIso(ms) : String(ms);
}

/** Rounded to the largest unit it is close to (a day minus the request's milliseconds is "1 d"). */
function describeAhead(ms: number): string {
  if (ms >= DAY_MS - HOUR_MS / 2) return `${Math.round(ms / DAY_MS).toLocaleString('en')} d`;
  if (ms >= HOUR_MS - MINUTE_MS / 2) return `${Math.round(ms / HOUR_MS)} h`;
  if (ms >= MINUTE_MS - 500) return `${Math.round(ms / MINUTE_MS)} min`;
  return `${Math.ceil(ms / 1000)} s`;
}
