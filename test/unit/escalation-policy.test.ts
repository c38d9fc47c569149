import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  acknowledge,
  ackSla,
  BusinessHours,
  EscalationConfig,
  escalateNow,
  escalationView,
  inBusinessHours,
  nextDeadline,
  openPage,
  PageState,
  resolve,
  snooze,
  step,
  unacknowledge,
  type EscalationContext,
  type StepKind,
} from '../../shared/escalation/index.js';
import { RotationConfig } from '../../shared/rotation/index.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const ms = (iso: string, zone: string) => DateTime.fromISO(iso, { zone }).toMillis();

const config = EscalationConfig.parse({
  businessHours: { timeZone: 'Europe/Berlin', holidays: ['2025-12-25'] },
});
const rotation = RotationConfig.parse({
  timeZone: 'Europe/Berlin',
  start: '2025-06-02',
  roster: ['ana', 'ben', 'cai'],
  escalationContact: 'owner',
});
const ctx: EscalationContext = { policy: config.tiers.page, businessHours: config.businessHours, rotation };

describe('business hours and the ack SLA', () => {
  const bh = config.businessHours;
  const sla = (iso: string) => ackSla(ctx.policy, bh, ms(iso, 'Europe/Berlin'));
  it('30 min inside business hours, 2 h outside, by the team time zone', () => {
    expect(sla('2025-06-03T10:00')).toBe(30 * MIN); // Tuesday
    expect(sla('2025-06-03T08:59')).toBe(2 * HOUR);
    expect(sla('2025-06-03T09:00')).toBe(30 * MIN);
    expect(sla('2025-06-03T16:59')).toBe(30 * MIN);
    expect(sla('2025-06-03T17:00')).toBe(2 * HOUR);
    expect(sla('2025-06-07T10:00')).toBe(2 * HOUR); // Saturday
    expect(sla('2025-12-25T10:00')).toBe(2 * HOUR); // holiday (a Thursday)
  });
  it('follows DST: 09:00 Berlin is 08:00Z in winter and 07:00Z in summer', () => {
    expect(inBusinessHours(bh, Date.parse('2025-03-28T07:30:00Z'))).toBe(false); // Fri, CET: 08:30
    expect(inBusinessHours(bh, Date.parse('2025-03-31T07:30:00Z'))).toBe(true); // Mon, CEST: 09:30
    expect(inBusinessHours(bh, Date.parse('2025-10-27T07:30:00Z'))).toBe(false); // Mon, CET again: 08:30
  });
  it('agrees with an Intl-based oracle at random instants and zones', () => {
    const zones = ['UTC', 'Europe/Berlin', 'America/Los_Angeles', 'Asia/Tokyo', 'Australia/Lord_Howe'];
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('2024-01-01'), max: Date.parse('2027-01-01') }),
        fc.constantFrom(...zones),
        (t, zone) => {
          const b = BusinessHours.parse({
            timeZone: zone,
            days: ['monday', 'wednesday', 'saturday'],
            start: '08:15',
            end: '18:45',
            holidays: ['2025-01-01'],
          });
          const parts = Object.fromEntries(
            new Intl.DateTimeFormat('en-GB', {
              timeZone: zone,
              weekday: 'long',
              year: 'numeric',
              month: '2-digit',
              day: '2-digit',
              hour: '2-digit',
              minute: '2-digit',
              hourCycle: 'h23',
            })
              .formatToParts(t)
              .map((p) => [p.type, p.value]),
          );
          const hhmm = `${parts.hour}:${parts.minute}`;
          const date = `${parts.year}-${parts.month}-${parts.day}`;
          const expected =
            date !== '2025-01-01' &&
            ['Monday', 'Wednesday', 'Saturday'].includes(parts.weekday ?? '') &&
            hhmm >= '08:15' &&
            hhmm < '18:45';
          expect(inBusinessHours(b, t)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  }, 30_000);
  it('rejects bad policy config naming the field', () => {
    const r = EscalationConfig.safeParse({
      tiers: { page: { renotifyEvery: '0s', ackSla: { businessHours: 'soon' } } },
      businessHours: { start: '18:00', end: '09:00' },
    });
    const paths = r.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(paths).toEqual(
      expect.arrayContaining(['tiers.page.renotifyEvery', 'tiers.page.ackSla.businessHours', 'businessHours.end']),
    );
  });
});

describe('escalation steps', () => {
  const t0 = ms('2025-06-03T10:00', 'Europe/Berlin'); // Tuesday, business hours; ana primary, ben secondary
  it('pages the primary at once, re-notifies every 5 min, escalates to the secondary at 30 min, then the owner', () => {
    let s = openPage(ctx, 'page', t0);
    expect(escalationView(ctx, s)).toEqual({
      level: 1,
      target: 'ana',
      dueAt: new Date(t0 + 30 * MIN).toISOString(),
      nextTarget: 'ben',
    });
    const seen: [StepKind, number, string][] = [];
    for (let n = 0; n < 10; n++) {
      const st = step(ctx, s, nextDeadline(s)!)!;
      seen.push([st.kind, (st.dueAt - t0) / MIN, st.state.target]);
      s = st.state;
    }
    expect(seen).toEqual([
      ['notified', 0, 'ana'],
      ['notified', 5, 'ana'],
      ['notified', 10, 'ana'],
      ['notified', 15, 'ana'],
      ['notified', 20, 'ana'],
      ['notified', 25, 'ana'],
      ['escalated', 30, 'ben'],
      ['notified', 35, 'ben'],
      ['notified', 40, 'ben'],
      ['notified', 45, 'ben'],
    ]);
    expect(escalateNow(ctx, s, t0 + 46 * MIN)?.target).toBe('owner');
    expect(escalateNow(ctx, escalateNow(ctx, s, t0 + 46 * MIN)!, t0 + 47 * MIN)).toBeUndefined();
  });
  it('re-targets an open page at handoff', () => {
    const beforeHandoff = ms('2025-06-09T08:50', 'Europe/Berlin'); // Monday; handoff 09:00 ana → ben
    const c = { ...ctx, businessHours: { ...ctx.businessHours, days: [] } }; // always outside hours: 2 h SLA
    let s = openPage(c, 'page', beforeHandoff);
    expect(s.target).toBe('ana');
    let handoff = step(c, s, beforeHandoff)!;
    while (handoff.kind === 'notified') handoff = step(c, (s = handoff.state), beforeHandoff + 10 * MIN)!;
    expect(handoff.dueAt).toBe(beforeHandoff + 10 * MIN);
    expect(handoff.kind).toBe('retargeted');
    expect(handoff.state.target).toBe('ben');
  });
  it('collapses re-notifications missed during downtime into one, and still escalates in order', () => {
    let s = openPage(ctx, 'page', t0);
    s = step(ctx, s, t0)!.state;
    const late = t0 + 3 * HOUR;
    const kinds: [StepKind, number][] = [];
    for (let st = step(ctx, s, late); st; st = step(ctx, s, late)) {
      kinds.push([st.kind, (st.dueAt - t0) / MIN]);
      s = st.state;
    }
    expect(kinds).toEqual([
      ['notified', 5],
      ['escalated', 30],
      ['escalated', 60],
    ]);
    expect(nextDeadline(s)).toBe(late + 5 * MIN);
  });
});

// ---- random sequences with a fake clock ----

type Op =
  | { op: 'wait'; ms: number }
  | { op: 'ack' | 'unack' | 'escalate' | 'resolve' }
  | { op: 'snooze'; ms: number }
  | { op: 'restart'; downMs: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('wait' as const), ms: fc.integer({ min: 1, max: 3 * HOUR }) }) },
  { weight: 2, arbitrary: fc.constantFrom<Op>({ op: 'ack' }, { op: 'unack' }, { op: 'escalate' }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('snooze' as const), ms: fc.integer({ min: MIN, max: 2 * HOUR }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('restart' as const), downMs: fc.integer({ min: 0, max: 4 * HOUR }) }),
  },
  { weight: 1, arbitrary: fc.constant<Op>({ op: 'resolve' }) },
);

interface Logged {
  kind: StepKind;
  dueAt: number;
  at: number;
  before: PageState;
  after: PageState;
}

describe('escalation: properties over random fire/ack/unack/snooze/escalate/resolve/restart', () => {
  const start = fc.integer({ min: Date.parse('2025-01-01'), max: Date.parse('2026-12-31') });
  it('steps only when due and in order; unacknowledged pages escalate exactly at the deadline; acknowledged ones never do; snoozes end on time', () => {
    fc.assert(
      fc.property(start, fc.array(opArb, { maxLength: 40 }), (t0, ops) => {
        let now = t0;
        let s = openPage(ctx, 'page', now);
        const log: Logged[] = [];
        /** Runs every step due up to `to`: exactly at its due time, or late (after downtime) at `to`. */
        const runUntil = (to: number, late: boolean) => {
          for (;;) {
            const due = nextDeadline(s);
            if (due === null || due > to) break;
            const at = late ? to : due;
            const st = step(ctx, s, at)!;
            log.push({ kind: st.kind, dueAt: st.dueAt, at, before: s, after: st.state });
            s = st.state;
          }
          now = to;
        };
        for (const o of ops) {
          switch (o.op) {
            case 'wait':
              runUntil(now + o.ms, false);
              break;
            case 'restart': {
              // Persisted and read back; the process was down for downMs and catches up on start.
              s = PageState.parse(JSON.parse(JSON.stringify(s)));
              runUntil(now + o.downMs, true);
              break;
            }
            case 'ack':
              if (s.phase === 'ringing' || s.phase === 'snoozed') s = acknowledge(s);
              break;
            case 'unack':
              if (s.phase === 'acknowledged') s = unacknowledge(ctx, s, now);
              break;
            case 'snooze':
              if (s.phase !== 'resolved') s = snooze(s, now + o.ms);
              break;
            case 'escalate':
              s = escalateNow(ctx, s, now) ?? s;
              break;
            case 'resolve':
              s = resolve(s);
              break;
          }
          expect(s.level).toBeLessThanOrEqual(ctx.policy.levels.length);
          if (s.phase === 'acknowledged' || s.phase === 'resolved') expect(nextDeadline(s)).toBeNull();
        }
        for (let i = 0; i < log.length; i++) {
          const e = log[i]!;
          expect(e.at).toBeGreaterThanOrEqual(e.dueAt);
          if (i > 0) expect(e.dueAt).toBeGreaterThanOrEqual(log[i - 1]!.dueAt);
          // Nothing happens to an acknowledged or resolved page.
          expect(['ringing', 'snoozed']).toContain(e.before.phase);
          if (e.kind === 'escalated') {
            expect(e.before.phase).toBe('ringing');
            expect(e.dueAt).toBe(e.before.escalateAt);
            expect(e.dueAt).toBe(e.before.levelSince + ackSla(ctx.policy, ctx.businessHours, e.before.levelSince));
            expect(e.after.level).toBe(e.before.level + 1);
          }
          if (e.kind === 'snooze-ended') {
            expect(e.dueAt).toBe(e.before.snoozeUntil);
            expect(e.after.phase).toBe('ringing');
          }
          if (e.before.phase === 'snoozed') expect(e.kind).toBe('snooze-ended');
        }
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('an unacknowledged page escalates exactly at its deadline, not a millisecond earlier', () => {
    fc.assert(
      fc.property(start, (t0) => {
        let s = openPage(ctx, 'page', t0);
        const deadline = s.escalateAt!;
        for (let st = step(ctx, s, deadline - 1); st; st = step(ctx, s, deadline - 1)) {
          expect(st.kind).not.toBe('escalated');
          s = st.state;
        }
        const st = step(ctx, s, deadline)!;
        expect(st.kind).toBe('escalated');
        expect(escalationView(ctx, s).dueAt).toBe(new Date(deadline).toISOString());
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('a snoozed page pages again exactly when the snooze ends, with a fresh ack clock', () => {
    fc.assert(
      fc.property(start, fc.integer({ min: 1, max: 2 * DAY }), (t0, len) => {
        const s = snooze(openPage(ctx, 'page', t0), t0 + len);
        expect(step(ctx, s, t0 + len - 1)).toBeUndefined();
        const st = step(ctx, s, t0 + len)!;
        expect(st.kind).toBe('snooze-ended');
        expect(st.state.phase).toBe('ringing');
        expect(st.state.escalateAt).toBe(t0 + len + ackSla(ctx.policy, ctx.businessHours, t0 + len));
      }),
      { numRuns: 200 },
    );
  }, 30_000);
});
