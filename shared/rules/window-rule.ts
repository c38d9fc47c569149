import type { Tier } from '../protocol/alert.js';
import type { Agg } from '../rollup/agg.js';
import type { ScopeHistory } from '../rollup/history.js';
import type { Scope, ScopeKind } from './scope.js';
import type { Timing } from './state-machine.js';

/**
 * A rule evaluated over a scope's event-time history: once per closed minute ('minute') or at
 * each closed hour ('hour', the weekly-review rules). `check` is pure: it gets the history and
 * the minute being evaluated and answers the summary (with the numbers that tripped it) when the
 * condition holds, or undefined.
 */
export interface WindowRule extends Timing {
  id: string;
  tier: Tier;
  scope: ScopeKind;
  cadence: 'minute' | 'hour';
  /**
   * The window the verdict is about, when the check can never hold with no data in
   * (minute - windowMs, minute] (its minimum sample count is at least 1): the runtime then skips
   * quiet scopes whose rule is inactive instead of asking. Left out by rules that can hold on
   * older data (the projected daily cost).
   */
  windowMs?: number;
  /**
   * Whether a scope's window holds anything this rule tests (retrieval lookups, ratings): only
   * those scopes count in `RuleContext.scopesTested`. Left out: any data counts.
   */
  observes?: (window: Readonly<Agg>) => boolean;
  check(h: ScopeHistory, minute: number, scope: Scope, ctx: RuleContext): string | undefined;
}

/** What one minute's evaluation knows beyond the scope itself. */
export interface RuleContext {
  /**
   * How many scopes of the rule's kind are tested this minute (those with data in its window that
   * the rule observes).
   * Ticket rules divide their significance level by it (Bonferroni), so a dozen small services
   * do not turn one in a dozen chance deviations into a ticket (issue 13).
   */
  scopesTested: number;
}

/** Config fields every rule shares (see shared/config/collector-config.ts). */
export interface RuleTimingConfig {
  enabled: boolean;
  tier: Tier;
  for: number;
  keepFiringFor: number;
}
