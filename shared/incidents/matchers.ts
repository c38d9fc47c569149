import { anchoredRegex, type Matcher, type MatcherRegex } from '../protocol/incident.js';
import type { AlertInput } from './schema.js';

/** Compiled patterns, shared by rules and silences; bounded so changing silences cannot grow it forever. */
const MAX_CACHED_PATTERNS = 1_000;
const compiled = new Map<string, MatcherRegex>();

/** The anchored regex for a pattern, compiled once (patterns were validated by the Matcher schema). */
function regexFor(pattern: string): MatcherRegex {
  let re = compiled.get(pattern);
  if (re === undefined) {
    if (compiled.size >= MAX_CACHED_PATTERNS) compiled.clear();
    re = anchoredRegex(pattern);
    compiled.set(pattern, re);
  }
  return re;
}

/** Labels used for matching: a missing label reads as "" (Alertmanager semantics). */
export type LabelSet = Readonly<Record<string, string>>;

function labelValue(labels: LabelSet, name: string): string {
  return Object.hasOwn(labels, name) ? (labels[name] ?? '') : '';
}

export function matchesValue(m: Matcher, value: string): boolean {
  switch (m.op) {
    case '=':
      return value === m.value;
    case '!=':
      return value !== m.value;
    case '=~':
      return regexFor(m.value).matches(value);
    case '!~':
      return !regexFor(m.value).matches(value);
  }
}

export function matches(m: Matcher, labels: LabelSet): boolean {
  return matchesValue(m, labelValue(labels, m.name));
}

/** Every matcher holds (AND); an empty list matches everything, as in Alertmanager. */
export function matchesAll(ms: readonly Matcher[], labels: LabelSet): boolean {
  return ms.every((m) => matches(m, labels));
}

/** Whether a matcher holds for a label that is absent: a silence of only such matchers would match nearly everything. */
export function matchesEmpty(m: Matcher): boolean {
  return matchesValue(m, '');
}

export function labelOf(labels: LabelSet, name: string): string {
  return labelValue(labels, name);
}

/**
 * The label set rules and silences see: the alert's labels plus `alertname` (its own label if it
 * has one, as Alertmanager alerts do, else the rule id: `provider-down`) and `tier` (always the
 * alert's tier, so `tier=~"page|ticket"` selects by tier).
 */
export function matchLabels(a: Pick<AlertInput, 'labels' | 'ruleId' | 'tier'>): LabelSet {
  return { alertname: a.ruleId, ...a.labels, tier: a.tier };
}
