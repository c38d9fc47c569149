import { toIso } from '../clock.js';
import type { HealthAnswer } from '../protocol/health.js';
import { whoIsOnCall } from '../rotation/rotation.js';
import { teamTimeZone } from '../rotation/team-zone.js';
import { byUser, figuresOf, pagesIn, weekRows, type FigureContext } from './figures.js';
import { onCallPlan } from './on-call.js';
import { pagesFromLog, type HealthLogEntry } from './pages.js';
import { pulseQuarters, type PulseAnswer } from './pulse.js';
import { sloWeeks, type ProviderOutage, type TrafficBucket } from './slo.js';
import { healthWeeks } from './weeks.js';

export interface HealthInput extends FigureContext {
  fromMs: number;
  toMs: number;
  /** Every entry of every incident that has an entry in the range (pages start before, end after). */
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
    pulse: pulseQuarters(input.pulses, pages, fromMs, toMs, timeZone),
    slo: sloWeeks(input.buckets, input.outages, weeks),
  };
}
