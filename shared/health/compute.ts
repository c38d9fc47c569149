import { toIso } from '../clock.js';
import type { HealthAnswer } from '../protocol/health.js';
import { whoIsOnCall } from '../rotation/rotation.js';
import { teamTimeZone } from '../rotation/team-zone.js';
import { byUser, figuresOf, pagesIn, weekRows, type FigureContext } from './figures.js';
import { onCallPlan } from './on-call.js';
import { pagesFromLog, type HealthLogEntry } from './pages.js';
import { pulseQuarters, pulseTrendFrom, type PulseAnswer } from './pulse.js';
import { sloWeeks, type ProviderOutage, type TrafficBucket } from './slo.js';
import { healthWeeks } from './weeks.js';

export interface HealthInput extends FigureContext {
  fromMs: number;
  toMs: number;
  /**
   * Every entry of every incident that has an entry in the range (pages start before, end after),
   * from pulseTrendFrom(toMs) when that is earlier (the pulse trend's pages per quarter).
   */
  entries: readonly HealthLogEntry[];
  pulses: readonly PulseAnswer[];
  buckets: readonly TrafficBucket[];
  outages: readonly ProviderOutage[];
}

/** The whole `GET /v1/health` answer, pure over its inputs. */
export function computeHealth(input: HealthInput): HealthAnswer {
  const { fromMs, toMs, rotation } = input;
  // Weeks and quarters in the team's zone (the rotation's, else business hours'), like the review;
  // off hours are always judged in the business hours' own zone.
  const timeZone = teamTimeZone(rotation, input.escalation.businessHours);
  // A notification note naming nobody falls back to the rotation's primary at that moment.
  const all = pagesFromLog(input.entries).map((p) =>
    p.holder === undefined && rotation ? { ...p, holder: whoIsOnCall(rotation, p.startMs).primary } : p,
  );
  const pages = pagesIn(all, fromMs, toMs);
  const weeks = healthWeeks(fromMs, toMs, rotation, timeZone);
  // Rotation and business-hours arithmetic once for the range; weeks and people clip it.
  const ctx: FigureContext = {
    ...input,
    plan: onCallPlan(rotation, input.escalation.businessHours, fromMs, toMs),
  };
  return {
    from: toIso(fromMs),
    to: toIso(toMs),
    timeZone,
    generatedAt: toIso(input.nowMs),
    ...figuresOf(pages, ctx),
    byUser: byUser(pages, ctx, fromMs, toMs),
    weeks: weekRows(pages, ctx, weeks),
    // The pulse trend covers the last PULSE_TREND_QUARTERS quarters whatever the range (the caller
    // passes entries and pulses from pulseTrendFrom); pages per quarter from all pages read.
    pulse: pulseQuarters(input.pulses, all, Math.min(fromMs, pulseTrendFrom(toMs, timeZone)), toMs, timeZone),
    slo: sloWeeks(input.buckets, input.outages, weeks),
  };
}
