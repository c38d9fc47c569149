import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  emptyIncidentState,
  isLoud,
  isOpen,
  members,
  restoreIncidentState,
  type AlertInput,
  type IncidentCoreState,
  type IncidentNotification,
  type PipelineInput,
} from '../../shared/incidents/index.js';
import type { Tier } from '../../shared/protocol/alert.js';
import { Driver, SEC, T0 } from '../fixtures/incidents.js';

/**
 * Property tests of the whole pipeline: random sequences of alert updates, incident commands,
 * silences and time passing, with the invariants of issue 12 checked after every step.
 */

const RANK: Record<Tier, number> = { review: 0, ticket: 1, page: 2 };
const IDS = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7'];

const alertOp = fc
  .record({
    id: fc.constantFrom(...IDS),
    tier: fc.constantFrom<Tier>('page', 'ticket', 'review'),
    status: fc.constantFrom('firing', 'firing', 'resolved', 'pending', 'acknowledged') as fc.Arbitrary<
      AlertInput['status']
    >,
    ruleId: fc.constantFrom('error-rate', 'provider-down', 'latency-p95'),
    service: fc.constantFrom(undefined, 'chat', 'search'),
    provider: fc.constantFrom(undefined, 'openai', 'anthropic'),
    am: fc.constantFrom(undefined, undefined, 'G1', 'G2'),
  })
  .map((r): PipelineInput => ({
    kind: 'alert',
    alert: {
      id: r.id,
      ruleId: r.ruleId,
      tier: r.tier,
      status: r.status,
      source: r.am === undefined ? 'rules' : 'alertmanager',
      ...(r.am === undefined ? {} : { groupKey: r.am }),
      summary: `${r.ruleId} ${r.service ?? r.provider ?? ''}`,
      labels: {
        ...(r.service === undefined ? {} : { service: r.service }),
        ...(r.provider === undefined ? {} : { provider: r.provider }),
      },
      firedAt: T0,
    },
  }));

/** Commands pick an incident by index into the ids present when they run (resolved in `step`). */
type Op =
  | { t: 'input'; input: PipelineInput }
  | { t: 'action'; pick: number; action: 'ack' | 'unack' | 'snooze' | 'escalate' | 'mitigate' | 'resolve' }
  | { t: 'silence'; n: number; service: string; minutes: number }
  | { t: 'expire'; n: number }
  | { t: 'tick' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: alertOp.map((input): Op => ({ t: 'input', input })) },
  {
    weight: 2,
    arbitrary: fc
      .record({
        pick: fc.nat(20),
        action: fc.constantFrom('ack', 'unack', 'snooze', 'escalate', 'mitigate', 'resolve') as fc.Arbitrary<
          Extract<Op, { t: 'action' }>['action']
        >,
      })
      .map((r): Op => ({ t: 'action', ...r })),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({ n: fc.nat(3), service: fc.constantFrom('chat', 'search'), minutes: fc.integer({ min: 1, max: 30 }) })
      .map((r): Op => ({ t: 'silence', ...r })),
  },
  { weight: 1, arbitrary: fc.nat(3).map((n): Op => ({ t: 'expire', n })) },
  { weight: 2, arbitrary: fc.constant<Op>({ t: 'tick' }) },
);

// Mostly seconds apart (group waits), sometimes a long gap (snoozes run out, resolved incidents are pruned).
const stepArb = fc.record({
  op: opArb,
  dt: fc.oneof(
    { weight: 9, arbitrary: fc.integer({ min: 0, max: 90 * SEC }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 2 * 3_600_000 }) },
  ),
});

function toInput(op: Op, state: IncidentCoreState, now: number): PipelineInput {
  switch (op.t) {
    case 'input':
      return op.input;
    case 'action': {
      const ids = Object.keys(state.incidents).sort();
      const incidentId = ids.length === 0 ? 'none' : ids[op.pick % ids.length]!;
      const action =
        op.action === 'ack'
          ? { kind: 'ack' as const, by: 'ana' }
          : op.action === 'snooze'
            ? { kind: 'snooze' as const, until: now + 5 * 60 * SEC }
            : { kind: op.action };
      return { kind: 'action', incidentId, action };
    }
    case 'silence':
      return {
        kind: 'silence',
        silence: {
          id: `s${op.n}`,
          matchers: [{ name: 'service', op: '=', value: op.service }],
          startsAt: new Date(now).toISOString(),
          endsAt: new Date(now + op.minutes * 60 * SEC).toISOString(),
          createdBy: 'ana',
          comment: '',
        },
      };
    case 'expire':
      return { kind: 'expire-silence', silenceId: `s${op.n}` };
    case 'tick':
      return { kind: 'tick' };
  }
}

interface Trace {
  sent: IncidentNotification[];
}

/** What the random runs exercised, so a property that holds vacuously is caught. */
const coverage = { rings: 0, updates: 0, inhibited: 0, silenced: 0, promoted: 0, resolved: 0, pruned: 0 };

/** Runs the steps, checking the invariants after each; optionally restores from JSON before step `restoreAt`. */
function runSteps(steps: { op: Op; dt: number }[], restoreAt = -1): Trace {
  let d = new Driver();
  let now = T0;
  const ringsSeen = new Map<string, number>();
  steps.forEach(({ op, dt }, k) => {
    if (k === restoreAt) {
      const sent = d.sent;
      d = new Driver(d.config, restoreIncidentState(JSON.stringify(d.state)));
      d.sent.push(...sent);
    }
    now += dt;
    const before = d.sent.length;
    const prior = d.state;
    d.apply(toInput(op, d.state, now), now);
    const pre = d.state;
    const out = d.flush(now);
    expect(d.sent.length).toBe(before + out.length);
    checkInvariants(pre, d.state, out, ringsSeen);
    const held = Object.values(d.state.alerts);
    coverage.rings += out.filter((n) => n.kind === 'ring').length;
    coverage.updates += out.filter((n) => n.kind === 'update').length;
    coverage.promoted += out.filter((n) => n.reason === 'promoted').length;
    coverage.inhibited += held.filter((a) => a.inhibitedBy !== undefined).length;
    coverage.silenced += held.filter((a) => a.silencedBy !== undefined).length;
    coverage.resolved += Object.values(d.state.incidents).filter((i) => i.status === 'resolved').length;
    coverage.pruned += Object.keys(prior.incidents).filter((id) => !Object.hasOwn(d.state.incidents, id)).length;
  });
  return { sent: d.sent };
}

function checkInvariants(
  pre: IncidentCoreState,
  post: IncidentCoreState,
  out: IncidentNotification[],
  ringsSeen: Map<string, number>,
): void {
  // Every alert is in exactly one incident, and every member id is a known alert.
  const seen = new Map<string, string>();
  for (const i of Object.values(post.incidents)) {
    for (const id of i.alertIds) {
      expect(seen.has(id), `alert ${id} in two incidents`).toBe(false);
      seen.set(id, i.id);
    }
  }
  for (const a of Object.values(post.alerts)) expect(seen.get(a.id)).toBe(a.incidentId);
  expect(seen.size).toBe(Object.keys(post.alerts).length);

  for (const i of Object.values(post.incidents)) {
    const ms = members(post, i);
    // Resolution: resolved exactly when every member is resolved (an emptied merged incident has none).
    if (ms.length > 0) expect(i.status === 'resolved', `incident ${i.id} status ${i.status}`).toBe(!ms.some(isOpen));
    // Tier: never below an unmuted open member.
    for (const a of ms.filter(isLoud)) expect(RANK[i.tier]).toBeGreaterThanOrEqual(RANK[a.tier]);
  }

  for (const n of out) {
    const i = pre.incidents[n.incidentId]!;
    // An incident rings or updates only with a member that is open and neither inhibited nor silenced.
    expect(members(pre, i).some(isLoud)).toBe(true);
    if (n.kind !== 'ring') continue;
    // One ring per incident per ring number, numbers consecutive.
    const last = ringsSeen.get(n.incidentId) ?? 0;
    expect(n.ring).toBe(last + 1);
    ringsSeen.set(n.incidentId, n.ring);
  }
  expect(new Set(out.map((n) => n.incidentId)).size).toBe(out.length);
}

describe('incident pipeline properties', () => {
  it('holds the invariants over random alert, command, silence and time sequences', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), (steps) => {
        runSteps(steps);
      }),
      { numRuns: 300 },
    );
    for (const [what, n] of Object.entries(coverage)) expect(n, `no run exercised ${what}`).toBeGreaterThan(0);
  });

  it('a JSON round trip at any point changes nothing: pending group waits ring exactly once after a restart', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 2, maxLength: 40 }), fc.nat(), (steps, cut) => {
        const straight = runSteps(steps);
        const restarted = runSteps(steps, 1 + (cut % (steps.length - 1)));
        expect(restarted.sent).toEqual(straight.sent);
      }),
      { numRuns: 200 },
    );
  });

  it('an alert that is inhibited or silenced for its whole life never rings its incident', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('chat', 'search'), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 20 }),
        (services, gap) => {
          const d = new Driver();
          d.alert(
            {
              id: 'down',
              ruleId: 'provider-down',
              tier: 'review',
              status: 'firing',
              source: 'rules',
              summary: 'down',
              labels: { provider: 'openai' },
              firedAt: T0,
            },
            T0,
          );
          // The source is review tier, so a ring at page tier could only come from a page member.
          services.forEach((service, k) =>
            d.alert(
              {
                id: `e${k}`,
                ruleId: 'error-rate',
                tier: 'page',
                status: 'firing',
                source: 'rules',
                summary: 'e',
                labels: { service, provider: 'openai' },
                firedAt: T0,
              },
              T0 + (k + 1) * gap * SEC,
            ),
          );
          d.tick(T0 + 3_600_000);
          // Every page member was inhibited into the provider-down incident: only that incident rang,
          // once, at the source's tier (inhibited members neither ring nor promote it).
          expect(new Set(d.rings().map((r) => r.incidentId))).toEqual(new Set([d.incidentOf('down')]));
          expect(d.rings()).toHaveLength(1);
          expect(d.rings()[0]?.tier).toBe('review');
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('restart mid group wait', () => {
  it('serialised mid-wait and restored, the first ring comes exactly once', () => {
    const d = new Driver();
    d.alert(
      {
        id: 'a',
        ruleId: 'error-rate',
        tier: 'page',
        status: 'firing',
        source: 'rules',
        summary: 'chat errors',
        labels: { service: 'chat' },
        firedAt: T0,
      },
      T0,
    );
    d.tick(T0 + 10 * SEC);
    const saved = JSON.stringify(d.state);
    // The "old process" is gone; a new one restores and keeps ticking.
    const r = new Driver(d.config, restoreIncidentState(saved));
    expect(r.tick(T0 + 20 * SEC)).toEqual([]);
    expect(r.tick(T0 + 30 * SEC)).toMatchObject([{ kind: 'ring', ring: 1, reason: 'opened' }]);
    expect(r.tick(T0 + 40 * SEC)).toEqual([]);
    // Restarting again after the ring (from a state saved after it) does not ring again.
    const again = new Driver(d.config, restoreIncidentState(JSON.stringify(r.state)));
    expect(again.tick(T0 + 50 * SEC)).toEqual([]);
    // A restart long after the due time rings once, at once.
    const late = new Driver(d.config, restoreIncidentState(saved));
    expect(late.tick(T0 + 3_600_000)).toHaveLength(1);
    expect(late.tick(T0 + 3_600_001)).toEqual([]);
    expect(emptyIncidentState()).toEqual(restoreIncidentState(JSON.stringify(emptyIncidentState())));
  });
});
