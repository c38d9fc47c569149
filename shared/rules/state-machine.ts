import { MINUTE_MS } from '../clock.js';

/**
 * The Prometheus alerting-rule lifecycle (rules/alerting.go), minute by minute in event time:
 * inactive → pending (condition true) → firing (true for `for`) → resolved (false for
 * `keep_firing_for`) → inactive. Pure: the caller passes the evaluated minute as `now`.
 */
export type RulePhase = 'inactive' | 'pending' | 'firing';

export interface RuleState {
  phase: RulePhase;
  /** First minute of the current run of true evaluations. */
  activeSince?: number;
  /** Last minute the condition was true. */
  lastTrueAt?: number;
  /** Last minute evaluated; the runtime resumes after it (restart-safe). */
  lastEvaluatedAt?: number;
  /** The alert this rule instance created when it fired. */
  alertId?: string;
  /** Auto-remediation: the alert is `pending` (not paging) until this event time, then pages if still firing. */
  pageAt?: number;
  /** The summary the alert fired with (kept so restarts and resolutions can quote it). */
  summary?: string;
}

/** What the runtime must do after one evaluation. */
export type TransitionKind = 'none' | 'pending' | 'fired' | 'cleared' | 'resolved';

export interface Transition {
  kind: TransitionKind;
  state: RuleState;
}

export interface Timing {
  /** The condition must hold for this many consecutive evaluated minutes' worth of time. */
  forMs: number;
  /** Once firing, stay firing until the condition has been false this long. */
  keepFiringForMs: number;
}

export const INACTIVE: RuleState = { phase: 'inactive' };

export function step(prev: RuleState, conditionTrue: boolean, now: number, timing: Timing): Transition {
  const base: RuleState = { ...prev, lastEvaluatedAt: now };
  if (conditionTrue) {
    const activeSince = prev.phase === 'inactive' ? now : (prev.activeSince ?? now);
    const heldMs = now - activeSince + MINUTE_MS; // this minute counts as held
    if (prev.phase === 'firing') return { kind: 'none', state: { ...base, lastTrueAt: now } };
    if (heldMs >= timing.forMs) {
      return { kind: 'fired', state: { ...base, phase: 'firing', activeSince, lastTrueAt: now } };
    }
    return {
      kind: prev.phase === 'pending' ? 'none' : 'pending',
      state: { ...base, phase: 'pending', activeSince, lastTrueAt: now },
    };
  }
  switch (prev.phase) {
    case 'inactive':
      return { kind: 'none', state: base };
    case 'pending':
      return { kind: 'cleared', state: { phase: 'inactive', lastEvaluatedAt: now } };
    case 'firing': {
      const lastTrue = prev.lastTrueAt ?? now;
      if (now - lastTrue >= timing.keepFiringForMs) {
        return { kind: 'resolved', state: { phase: 'inactive', lastEvaluatedAt: now } };
      }
      return { kind: 'none', state: base };
    }
  }
}
