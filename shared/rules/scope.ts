import type { AlertLabels } from '../protocol/alert.js';
import type { SeriesKey } from '../rollup/window.js';
import { seriesKeyString } from '../rollup/window.js';

/**
 * What a rule instance watches: one series (service, provider, model), one service (all its
 * models), one provider (all services using it), or the whole fleet. Rules declare their kind;
 * the runtime keeps a ScopeHistory per scope.
 */
export type ScopeKind = 'series' | 'service' | 'provider' | 'fleet';

export interface Scope {
  kind: ScopeKind;
  /** Stable key (rule state is stored under it). */
  key: string;
  labels: AlertLabels;
  /** How summaries name it: "checkout · openai/gpt-4o", "support-bot", "openai". */
  name: string;
}

export function seriesScope(k: SeriesKey): Scope {
  return {
    kind: 'series',
    key: seriesKeyString(k),
    labels: { service: k.service, provider: k.provider, model: k.model },
    name: `${k.service} · ${k.provider}/${k.model}`,
  };
}

export function serviceScope(service: string): Scope {
  return { kind: 'service', key: `service:${service}`, labels: { service }, name: service };
}

export function providerScope(provider: string): Scope {
  return { kind: 'provider', key: `provider:${provider}`, labels: { provider }, name: `provider ${provider}` };
}

export const FLEET_SCOPE: Scope = { kind: 'fleet', key: 'fleet', labels: {}, name: 'all services' };
