import { DAY_MS } from '../../../shared/clock.js';
import type { CollectorConfig } from '../../../shared/config/collector-config.js';
import type { Tier } from '../../../shared/protocol/alert.js';
import { FLEET_SCOPE, type Scope } from '../../../shared/rules/scope.js';
import type { Timing } from '../../../shared/rules/state-machine.js';
import {
  COST_TREND_RULE_ID,
  EVAL_COVERAGE_RULE_ID,
  INPUT_MIX_TREND_RULE_ID,
  MODEL_VERSION_CHANGE_RULE_ID,
  WEEK_MS,
  costTrendCheck,
  coversTwoWeeks,
  evalCoverageCheck,
  inputMixTrendCheck,
  modelVersionChangeCheck,
  type ModelSeen,
} from '../../../shared/rules/weekly.js';
import type { EvalsStore } from '../store/evals-store.js';
import type { RuleId } from './catalog.js';
import type { ScopeHistories } from './scope-histories.js';

export interface HourlyFinding {
  ruleId: RuleId;
  tier: Tier;
  timing: Timing;
  scope: Scope;
  /** Undefined: checked, condition false. */
  summary: string | undefined;
}

/** How far back eval-coverage looks for a suite's last run (eval runs are kept at least this long). */
const EVAL_COVERAGE_LOOKBACK_MS = 60 * DAY_MS;

const timing = (c: { for: number; keepFiringFor: number }): Timing => ({
  forMs: c.for,
  keepFiringForMs: c.keepFiringFor,
});

/** The tier-3 (weekly review) rules, checked at each closed event-time hour `at`. */
export function hourlyRules(
  rules: CollectorConfig['rules'],
  histories: ScopeHistories,
  evals: EvalsStore,
  at: number,
): HourlyFinding[] {
  const out: HourlyFinding[] = [];

  const mv = rules.modelVersionChange;
  if (mv.enabled) {
    const pairs = new Map<string, { service: string; provider: string; models: ModelSeen[] }>();
    for (const { key, firstSeen } of histories.seriesFirstSeen.values()) {
      const id = `${key.service}\n${key.provider}`;
      const p = pairs.get(id) ?? { service: key.service, provider: key.provider, models: [] };
      p.models.push({ model: key.model, firstSeen });
      pairs.set(id, p);
    }
    for (const p of pairs.values()) {
      const name = `${p.service} · ${p.provider}`;
      const r = modelVersionChangeCheck({ newForMs: mv.newFor, learningMs: mv.learning }, p.models, at, name);
      const scope: Scope = {
        kind: 'service',
        key: `pair:${p.service}/${p.provider}`,
        labels: { service: p.service, provider: p.provider, ...(r ? { model: r.models.join(',') } : {}) },
        name,
      };
      out.push({ ruleId: MODEL_VERSION_CHANGE_RULE_ID, tier: mv.tier, timing: timing(mv), scope, summary: r?.summary });
    }
  }

  const im = rules.inputMixTrend;
  if (im.enabled) {
    const thisWeek: Record<string, number> = {};
    const lastWeek: Record<string, number> = {};
    for (const { scope, history } of histories.entries('series')) {
      thisWeek[scope.name] = history.sumHours(at - WEEK_MS, at).count;
      lastWeek[scope.name] = history.sumHours(at - 2 * WEEK_MS, at - WEEK_MS).count;
    }
    const covered = coversTwoWeeks([...histories.entries('fleet')][0]?.history.firstSeen, at);
    const summary = covered ? inputMixTrendCheck(im, thisWeek, lastWeek) : undefined;
    out.push({ ruleId: INPUT_MIX_TREND_RULE_ID, tier: im.tier, timing: timing(im), scope: FLEET_SCOPE, summary });
  }

  const ct = rules.costTrend;
  if (ct.enabled) {
    for (const { scope, history } of histories.entries('service')) {
      const summary = coversTwoWeeks(history.firstSeen, at)
        ? costTrendCheck(
            ct,
            history.sumHours(at - WEEK_MS, at),
            history.sumHours(at - 2 * WEEK_MS, at - WEEK_MS),
            scope.name,
          )
        : undefined;
      out.push({ ruleId: COST_TREND_RULE_ID, tier: ct.tier, timing: timing(ct), scope, summary });
    }
  }

  const ec = rules.evalCoverage;
  if (ec.enabled) {
    for (const suite of evals.evalSuites()) {
      const runs = evals.recentEvalRuns(suite, at - EVAL_COVERAGE_LOOKBACK_MS);
      const last = runs.length ? Math.max(...runs.map((r) => r.ts)) : at - EVAL_COVERAGE_LOOKBACK_MS;
      // A run "in the future" of the evaluated hour (evals ahead of traffic) still counts as covered.
      const summary = evalCoverageCheck({ maxGapMs: ec.maxGap }, suite, last, at);
      out.push({
        ruleId: EVAL_COVERAGE_RULE_ID,
        tier: ec.tier,
        timing: timing(ec),
        scope: { kind: 'series', key: `suite:${suite}`, labels: { suite }, name: suite },
        summary,
      });
    }
  }
  return out;
}
