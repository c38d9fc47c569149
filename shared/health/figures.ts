import { toIso } from '../clock.js';
import { inBusinessHours } from '../escalation/business-hours.js';
import { overlapMs } from './business-time.js';
import type { EscalationConfig } from '../escalation/schema.js';
import type { HealthFigures, HealthWeek, UserHealth } from '../protocol/health.js';
import type { RotationConfig } from '../rotation/schema.js';
import { onCallPlan, onCallTimeIn, toHours, type OnCallPlan } from './on-call.js';
import type { Page } from './pages.js';
import type { WeekRange } from './weeks.js';

/** Who a page is attributed to when its notification note names nobody and no rotation says. */
export const UNKNOWN_HOLDER = 'unknown';

export interface FigureContext {
  escalation: Pick<EscalationConfig, 'tiers' | 'businessHours'>;
  rotation: RotationConfig | undefined;
  /** Pages still open are judged against the ack SLA at this moment. */
  nowMs: number;
  /** The rotation and business windows over the whole query, computed once (else per call). */
  plan?: OnCallPlan;
}

function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return Math.round(values.reduce((a, b) => a + b, 0) / values.length) / 1_000;
}

/**
 * Whether `atMs` is in business hours: arithmetic over the plan's windows when it covers the
 * moment (the same rule as inBusinessHours, without a luxon call per page), else inBusinessHours.
 */
export function isBusinessTime(ctx: FigureContext, atMs: number): boolean {
  const plan = ctx.plan;
  if (plan && atMs >= plan.fromMs && atMs < plan.toMs) return overlapMs(plan.windows, atMs, atMs + 1) > 0;
  return inBusinessHours(ctx.escalation.businessHours, atMs);
}

/** Whether the page went unacknowledged past its tier's ack SLA (no policy for its tier: never). */
export function breachedAckSla(page: Page, ctx: FigureContext): boolean {
  const policy = ctx.escalation.tiers[page.tier];
  if (!policy) return false;
  // As escalation chooses it (shared/escalation/business-hours.ts ackSla): by the moment the clock starts.
  const sla = isBusinessTime(ctx, page.startMs) ? policy.ackSla.businessHours : policy.ackSla.outsideHours;
  const end = page.ackMs ?? page.resolvedMs ?? ctx.nowMs;
  return end - page.startMs > sla;
}

/** The moment a page counts as mitigated: its first `mitigated` entry, else its resolution. */
export function mitigatedAt(page: Page): number | undefined {
  if (page.mitigatedMs === undefined) return page.resolvedMs;
  return page.resolvedMs === undefined ? page.mitigatedMs : Math.min(page.mitigatedMs, page.resolvedMs);
}

export function holderOf(page: Page): string {
  return page.holder ?? UNKNOWN_HOLDER;
}

/** The figures of a set of pages (the caller picked them: a range, a week, a person). */
export function figuresOf(pages: readonly Page[], ctx: FigureContext): HealthFigures {
  const since = (p: Page, t: number | undefined) => (t === undefined ? [] : [t - p.startMs]);
  return {
    pages: pages.length,
    offHoursPages: pages.filter((p) => !isBusinessTime(ctx, p.startMs)).length,
    mttaSeconds: mean(pages.flatMap((p) => since(p, p.ackMs))),
    mttmSeconds: mean(pages.flatMap((p) => since(p, mitigatedAt(p)))),
    mttrSeconds: mean(pages.flatMap((p) => since(p, p.resolvedMs))),
    ackSlaBreaches: pages.filter((p) => breachedAckSla(p, ctx)).length,
    escalations: pages.reduce((n, p) => n + p.escalations, 0),
  };
}

/** Per person: the pages they held and their on-call hours over [fromMs, toMs). */
export function byUser(
  pages: readonly Page[],
  ctx: FigureContext,
  fromMs: number,
  toMs: number,
): Record<string, UserHealth> {
  const plan = ctx.plan ?? onCallPlan(ctx.rotation, ctx.escalation.businessHours, fromMs, toMs);
  const time = onCallTimeIn(plan, fromMs, toMs);
  const users = new Set([...time.keys(), ...pages.map(holderOf)]);
  const out: Record<string, UserHealth> = {};
  for (const user of [...users].sort()) {
    const own = pages.filter((p) => holderOf(p) === user);
    const f = figuresOf(own, ctx);
    const t = time.get(user);
    out[user] = {
      pages: f.pages,
      offHoursPages: f.offHoursPages,
      mttaSeconds: f.mttaSeconds,
      onCallHours: toHours(t?.onCallMs ?? 0),
      offHoursOnCallHours: toHours(t?.offHoursMs ?? 0),
    };
  }
  return out;
}

/** Pages whose first notification falls in [fromMs, toMs). */
export function pagesIn(pages: readonly Page[], fromMs: number, toMs: number): Page[] {
  return pages.filter((p) => p.startMs >= fromMs && p.startMs < toMs);
}

export function weekRows(pages: readonly Page[], ctx: FigureContext, weeks: readonly WeekRange[]): HealthWeek[] {
  return weeks.map((w) => {
    const inWeek = pagesIn(pages, w.fromMs, w.toMs);
    return {
      from: toIso(w.fromMs),
      to: toIso(w.toMs),
      ...figuresOf(inWeek, ctx),
      byUser: byUser(inWeek, ctx, w.fromMs, w.toMs),
    };
  });
}
