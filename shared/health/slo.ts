import { MINUTE_MS, toIso } from '../clock.js';
import type { ProviderLoss, ServiceAvailability, SloWeek } from '../protocol/health.js';
import { mergeIntervalsByKey } from './intervals.js';
import type { WeekRange } from './weeks.js';

/** Requests of one service through one provider over one rollup bucket (a minute or an hour). */
export interface TrafficBucket {
  startMs: number;
  durationMs: number;
  service: string;
  provider: string;
  count: number;
  errors: number;
}

/** A provider was down (a provider-down alert) from `startMs` to `endMs` (its resolution, or now). */
export interface ProviderOutage {
  provider: string;
  startMs: number;
  endMs: number;
}

function overlap(a0: number, a1: number, b0: number, b1: number): number {
  return Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));
}

/** Outages of one provider merged, so two alerts over the same minutes count them once. */
function mergedOutages(outages: readonly ProviderOutage[]): Map<string, [number, number][]> {
  return mergeIntervalsByKey(
    outages.filter((o) => o.endMs > o.startMs).map((o) => [o.provider, o.startMs, o.endMs] as const),
  );
}

const ratio = (ok: number, total: number): number | null => (total > 0 ? Math.max(0, Math.min(1, ok / total)) : null);

/**
 * Availability per service per week, with what provider outages cost it attributed to the
 * provider: a bucket of service S through provider P overlapping an outage of P loses the
 * overlapping minutes (when S had traffic through P then), and its failures in proportion to the
 * overlap (all of them for a minute bucket inside the outage). Buckets count in the week they
 * start in. `availabilityExcludingProviders` is what the team answers for; the difference is
 * what to claim against the provider's SLA.
 */
export function sloWeeks(
  buckets: readonly TrafficBucket[],
  outages: readonly ProviderOutage[],
  weeks: readonly WeekRange[],
): SloWeek[] {
  const down = mergedOutages(outages);
  return weeks.map((w) => {
    const services = new Map<string, { requests: number; failed: number; losses: Map<string, ProviderLoss> }>();
    for (const b of buckets) {
      if (b.startMs < w.fromMs || b.startMs >= w.toMs) continue;
      const s = services.get(b.service) ?? { requests: 0, failed: 0, losses: new Map<string, ProviderLoss>() };
      services.set(b.service, s);
      s.requests += b.count;
      s.failed += b.errors;
      let lostMs = 0;
      for (const [o0, o1] of down.get(b.provider) ?? []) lostMs += overlap(b.startMs, b.startMs + b.durationMs, o0, o1);
      if (lostMs === 0 || b.count === 0) continue;
      const loss = s.losses.get(b.provider) ?? { provider: b.provider, minutes: 0, failed: 0 };
      s.losses.set(b.provider, loss);
      loss.minutes += lostMs / MINUTE_MS;
      loss.failed += (b.errors * lostMs) / b.durationMs;
    }
    const rows: ServiceAvailability[] = [...services.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([service, s]) => {
        const losses = [...s.losses.values()]
          .map((l) => ({ ...l, minutes: round2(l.minutes), failed: round2(l.failed) }))
          .sort((a, b) => a.provider.localeCompare(b.provider));
        const providerFailed = losses.reduce((n, l) => n + l.failed, 0);
        return {
          service,
          requests: s.requests,
          failed: s.failed,
          availability: ratio(s.requests - s.failed, s.requests),
          availabilityExcludingProviders: ratio(s.requests - (s.failed - providerFailed), s.requests),
          providerLosses: losses,
        };
      });
    return { from: toIso(w.fromMs), to: toIso(w.toMs), services: rows };
  });
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
