/**
 * `NAME[:key=value,...]` — how a scenario and an optional target are written on the command
 * line (`--scenario provider-outage:provider=google`) and on stdin (`on latency-regression model=gpt-4o`).
 */
import { MODELS, SERVICES, SCENARIO_NAMES, TARGET_KEYS, isScenarioName } from '../../../shared/sim/index.js';
import type { ScenarioName, ScenarioTarget } from '../../../shared/sim/index.js';

export interface ScenarioSpecArg {
  name: ScenarioName;
  target?: ScenarioTarget;
}

const known: Record<(typeof TARGET_KEYS)[number], readonly string[]> = {
  service: SERVICES.map((s) => s.service),
  provider: [...new Set(MODELS.map((m) => m.provider))],
  model: MODELS.map((m) => m.model),
  suite: SERVICES.map((s) => s.eval.suite),
};

function isTargetKey(k: string): k is (typeof TARGET_KEYS)[number] {
  return (TARGET_KEYS as readonly string[]).includes(k);
}

/** Parses `NAME` followed by `key=value` pairs (separated by `:`, `,` or spaces). */
export function parseScenarioSpec(text: string): { ok: true; spec: ScenarioSpecArg } | { ok: false; message: string } {
  const [name = '', ...pairs] = text
    .trim()
    .split(/[\s:,]+/)
    .filter((p) => p.length > 0);
  if (!isScenarioName(name)) {
    return { ok: false, message: `unknown scenario '${name}' (known: ${SCENARIO_NAMES.join(', ')})` };
  }
  if (pairs.length === 0) return { ok: true, spec: { name } };
  const target: ScenarioTarget = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const key = eq > 0 ? pair.slice(0, eq) : pair;
    const value = eq > 0 ? pair.slice(eq + 1) : '';
    if (!isTargetKey(key))
      return { ok: false, message: `scenario ${name}: unknown target key '${key}' (use ${TARGET_KEYS.join(', ')})` };
    if (!known[key].includes(value)) {
      return { ok: false, message: `scenario ${name}: unknown ${key} '${value}' (known: ${known[key].join(', ')})` };
    }
    target[key] = value;
  }
  return { ok: true, spec: { name, target } };
}
