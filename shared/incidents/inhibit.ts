import type { AlertInput, AlertRecord, IncidentCoreState, IncidentRecord, InhibitRule } from './schema.js';
import { labelOf, matchLabels, matchesAll, type LabelSet } from './matchers.js';
import { Draft } from './records.js';

/**
 * Inhibition, with Alertmanager's semantics: while a source alert fires (not pending, not
 * resolved), an open alert matching a rule's `target` whose `equal` labels carry the same
 * values (a missing label reads as "") is inhibited. An alert matching both sides is never
 * inhibited by a source that also matches both (so a source never inhibits itself, nor its
 * twin). Rules are tried in order; among several sources the earliest fired wins.
 */

type Inhibitable = Pick<AlertInput, 'id' | 'status' | 'labels' | 'ruleId' | 'tier' | 'firedAt'>;

function isSource(a: Inhibitable): boolean {
  return a.status !== 'resolved' && a.status !== 'pending';
}

function equalKey(labels: LabelSet, equal: readonly string[]): string {
  return JSON.stringify(equal.map((n) => labelOf(labels, n)));
}

const earliest = (a: Inhibitable, b: Inhibitable): number => a.firedAt - b.firedAt || (a.id < b.id ? -1 : 1);

/** How an alert stands against one rule: computed once per (immutable) alert object and rule. */
interface Sides {
  source: boolean;
  target: boolean;
  equal: string;
}

/**
 * The stage's alerts are immutable records: a record's sides per rule never change, so they are
 * remembered per record object (and forgotten with it). Callers passing their own objects to
 * `inhibitions` get no memo, since they might change them.
 */
const memo = new WeakMap<object, Map<InhibitRule, Sides>>();

function sidesOf(a: Inhibitable, rule: InhibitRule, remember: boolean): Sides {
  const known = remember ? memo.get(a)?.get(rule) : undefined;
  if (known !== undefined) return known;
  const labels = matchLabels(a);
  const sides: Sides = {
    source: matchesAll(rule.source, labels),
    target: matchesAll(rule.target, labels),
    equal: equalKey(labels, rule.equal),
  };
  if (remember) {
    let perRule = memo.get(a);
    if (perRule === undefined) memo.set(a, (perRule = new Map()));
    perRule.set(rule, sides);
  }
  return sides;
}

/** Target alert id → id of the source alert inhibiting it. */
export function inhibitions(
  alerts: readonly Inhibitable[],
  rules: readonly InhibitRule[],
  remember = false,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const rule of rules) {
    const sided = alerts.map((a) => ({ a, s: sidesOf(a, rule, remember) }));
    const byEqual = new Map<string, { a: Inhibitable; s: Sides }[]>();
    for (const x of sided) {
      if (!isSource(x.a) || !x.s.source) continue;
      const bucket = byEqual.get(x.s.equal);
      if (bucket === undefined) byEqual.set(x.s.equal, [x]);
      else bucket.push(x);
    }
    if (byEqual.size === 0) continue;
    // Earliest first, once per rule: the first eligible source of a bucket is the one that wins.
    for (const bucket of byEqual.values()) bucket.sort((x, y) => earliest(x.a, y.a));
    for (const t of sided) {
      if (out.has(t.a.id) || t.a.status === 'resolved' || !t.s.target) continue;
      const twoSided = t.s.source;
      const source = byEqual.get(t.s.equal)?.find((x) => x.a.id !== t.a.id && !(twoSided && x.s.target));
      if (source !== undefined) out.set(t.a.id, source.a.id);
    }
  }
  return out;
}

/**
 * The alert whose incident an inhibited alert joins: follow target → source to an alert that is
 * not itself inhibited; in a cycle (two rules inhibiting each other's sources) the smallest id
 * of the cycle, so every member of it lands in one incident, deterministically.
 */
export function inhibitionRoot(id: string, by: ReadonlyMap<string, string>): string {
  const path: string[] = [];
  const seen = new Set<string>();
  let at: string | undefined = id;
  while (at !== undefined && !seen.has(at)) {
    seen.add(at);
    path.push(at);
    at = by.get(at);
  }
  if (at === undefined) return path[path.length - 1] ?? id;
  const cycle = path.slice(path.indexOf(at));
  return cycle.reduce((m, x) => (x < m ? x : m));
}

/**
 * The inhibit stage: records `inhibitedBy` on every open alert, and moves each inhibited alert
 * into the incident of the alert at the root of its inhibition (issue 12: an inhibited alert is a
 * member of the inhibiting alert's incident). Dispatch runs first and groups by key; inhibition
 * then pulls symptoms into their cause's incident. Membership is sticky: when the source
 * resolves the alert stops being inhibited but stays. An incident emptied by moves is dropped
 * if it never rang, else closed as merged into the one that took its members.
 */
export function applyInhibitions(
  state: IncidentCoreState,
  rules: readonly InhibitRule[],
  now: number,
): IncidentCoreState {
  const all = Object.values(state.alerts);
  const by = inhibitions(all, rules, true);
  const d = new Draft(state);
  for (const a of all) {
    const source = by.get(a.id);
    if (a.inhibitedBy !== source) d.putAlert(withInhibitor(a, source));
    if (source === undefined) continue;
    const root = d.alert(inhibitionRoot(a.id, by));
    const current = d.alert(a.id);
    if (root === undefined || current === undefined || root.incidentId === current.incidentId) continue;
    move(d, current, root.incidentId, now);
  }
  return d.done();
}

function withInhibitor(a: AlertRecord, source: string | undefined): AlertRecord {
  const { inhibitedBy: _drop, ...rest } = a;
  return source === undefined ? rest : { ...rest, inhibitedBy: source };
}

function move(d: Draft, a: AlertRecord, toId: string, now: number): void {
  const from = d.incident(a.incidentId);
  const to = d.incident(toId);
  // A cause whose incident was closed by hand does not swallow new alerts.
  if (from === undefined || to === undefined || to.status === 'resolved') return;
  const left: IncidentRecord = { ...from, alertIds: from.alertIds.filter((x) => x !== a.id) };
  if (left.alertIds.length > 0) {
    d.putIncident({ ...left, textDirty: left.textDirty || left.rings > 0 });
  } else {
    d.freeKey(left.key, left.id);
    // An incident emptied before it ever rang was only a waiting group: it leaves no trace.
    // One that rang stays, closed as merged, so the page a person saw still resolves to something.
    if (left.rings === 0) d.dropIncident(left.id);
    else d.putIncident(closeMerged(left, to.id, now));
  }
  d.putIncident({ ...to, alertIds: [...to.alertIds, a.id], textDirty: to.textDirty || to.rings > 0 });
  d.putAlert({ ...a, incidentId: to.id });
}

function closeMerged(i: IncidentRecord, into: string, now: number): IncidentRecord {
  const { pendingRing: _p, ...rest } = i;
  return { ...rest, status: 'resolved', resolvedAt: rest.resolvedAt ?? now, mergedInto: into, textDirty: false };
}
