import { MINUTE_MS } from '../clock.js';
import type { ScopeHistory } from '../rollup/history.js';
import { fmtPct } from './format.js';
import type { Scope } from './scope.js';

export const PROVIDER_DOWN_RULE_ID = 'provider-down';

/**
 * Field note: "Tier 1 — page: provider API down". Down means connection/5xx/timeout errors
 * dominate a provider's traffic (all services and models together), or nothing succeeds while
 * requests are attempted, over a short window with a minimum of requests.
 */
export const PROVIDER_DOWN_DEFAULTS = {
  windowMs: 5 * MINUTE_MS,
  /** "never page on single request failures" */
  minSamples: 20,
  /** "dominate": at least half the requests fail with an availability error. */
  dominantShare: 0.5,
  /** error_type values that mean the provider was unreachable or broken (not our bad request). */
  errorTypes: ['connection_error', 'server_error', 'timeout', 'unavailable', 'overloaded'] as readonly string[],
  forMs: 3 * MINUTE_MS,
  keepFiringForMs: 5 * MINUTE_MS,
} as const;

export interface ProviderDownRule {
  windowMs: number;
  minSamples: number;
  dominantShare: number;
  errorTypes: readonly string[];
}

export function providerDownCheck(
  rule: ProviderDownRule,
  h: ScopeHistory,
  minute: number,
  scope: Scope,
): string | undefined {
  const w = h.window(minute, rule.windowMs);
  if (w.count < rule.minSamples) return undefined;
  let down = 0;
  const parts: string[] = [];
  for (const t of rule.errorTypes) {
    const n = w.errorTypes[t] ?? 0;
    if (n > 0) parts.push(`${t} ${n}`);
    down += n;
  }
  const ok = w.count - w.errors;
  const span = `${rule.windowMs / MINUTE_MS} min`;
  if (ok === 0) return `${scope.name}: no successful request in ${span} (${w.count} attempted, ${w.errors} failed)`;
  if (down / w.count < rule.dominantShare) return undefined;
  return `${scope.name}: ${fmtPct(down / w.count)} of ${w.count} requests failed with connection/5xx/timeout errors over ${span} (${parts.join(', ')}); ${ok} succeeded`;
}
