import { describe, expect, it } from 'vitest';
import { EscalationConfig, inBusinessHours } from '../../shared/escalation/index.js';
import {
  businessMsBetween,
  commsNoteFor,
  isBusinessTime,
  onCallPlan,
  computeHealth,
  customerCommsNote,
  noteTarget,
  pagesFromLog,
  parseHealthRange,
  risingRun,
  sloWeeks,
  type HealthLogEntry,
} from '../../shared/health/index.js';
import { HealthAnswer } from '../../shared/protocol/health.js';
import { RotationConfig } from '../../shared/rotation/index.js';

/**
 * Issue 15: health figures from a fixture event log, every expected value computed by hand
 * (in the comments). Team zone Europe/Berlin, business hours Mon–Fri 09:00–17:00, Good Friday
 * (2026-04-03) a holiday; DST starts Sunday 2026-03-29 (02:00 CET → 03:00 CEST), inside week 3.
 * Rotation: handoff Monday 09:00 Berlin, roster alice, bob, carol (week 3 = 23–30 March:
 * alice primary, bob secondary; week 4 = 30 March–6 April: bob primary, carol secondary);
 * carol covers alice's primary Wed 25 March 18:00 → Thu 26 March 06:00 (12 h, all off hours).
 */
const HOUR = 3_600_000;
const T = (iso: string) => Date.parse(iso);

const escalation = EscalationConfig.parse({
  businessHours: { timeZone: 'Europe/Berlin', holidays: ['2026-04-03'] },
});
const rotation = RotationConfig.parse({
  timeZone: 'Europe/Berlin',
  handoff: { day: 'monday', time: '09:00' },
  start: '2026-03-02',
  roster: ['alice', 'bob', 'carol'],
  overrides: [{ role: 'primary', user: 'carol', from: '2026-03-25T17:00:00Z', to: '2026-03-26T05:00:00Z' }],
});

const FROM = T('2026-03-23T08:00:00Z'); // Mon 23 March 09:00 CET: week 3's handoff
const TO = T('2026-04-06T07:00:00Z'); // Mon 6 April 09:00 CEST: week 5's handoff

let seq = 0;
function e(incidentId: string, iso: string, kind: HealthLogEntry['kind'], extra: Partial<HealthLogEntry> = {}) {
  seq += 1;
  return { seq, atMs: T(iso), incidentId, kind, tier: 'page', ...extra } satisfies HealthLogEntry;
}

const LOG: HealthLogEntry[] = [
  // Before the range (Fri 20 March): not counted, though its resolution falls inside.
  e('inc-0', '2026-03-20T10:00:00Z', 'notified', { note: 'paged: carol (level 1)' }),
  e('inc-0', '2026-03-23T09:00:00Z', 'resolved'),
  // A: Tue 24 March 10:00 CET, business hours; ack +600 s, mitigated +1800 s, resolved +3600 s.
  e('inc-1', '2026-03-24T09:00:00Z', 'fired'),
  e('inc-1', '2026-03-24T09:00:00Z', 'notified', { note: 'paged: alice (level 1)' }),
  e('inc-1', '2026-03-24T09:10:00Z', 'acknowledged', { actor: 'alice' }),
  e('inc-1', '2026-03-24T09:30:00Z', 'mitigated', { actor: 'alice' }),
  e('inc-1', '2026-03-24T10:00:00Z', 'resolved', { actor: 'alice' }),
  // B: Sat 28 March 23:00 CET (off hours, SLA 2 h), across the DST change: re-notified,
  // escalated to bob after 2 h, acked +9000 s (breach), resolved +16200 s unmitigated.
  e('inc-2', '2026-03-28T22:00:00Z', 'notified', { note: 'paged: alice (level 1)' }),
  e('inc-2', '2026-03-28T22:05:00Z', 'notified', { note: 're-notified: alice (level 1)' }),
  e('inc-2', '2026-03-29T00:00:00Z', 'escalated', { note: 'escalated to level 2: bob (level 2)' }),
  e('inc-2', '2026-03-29T00:30:00Z', 'acknowledged', { actor: 'bob' }),
  e('inc-2', '2026-03-29T02:30:00Z', 'resolved', { actor: 'bob' }),
  // C: Mon 30 March 08:30 CEST, before business hours and before the handoff (week 3); ack +600 s, still open.
  e('inc-3', '2026-03-30T06:30:00Z', 'notified', { note: 'paged: alice (level 1) (due 2026-03-30T06:29:59.000Z)' }),
  e('inc-3', '2026-03-30T06:40:00Z', 'acknowledged', { actor: 'alice' }),
  // E: Wed 1 April 14:00 CEST, business hours; never acked, resolved +1200 s (inside the 30 min SLA).
  e('inc-5', '2026-04-01T12:00:00Z', 'notified', { note: 'paged: bob (level 1)' }),
  e('inc-5', '2026-04-01T12:20:00Z', 'resolved'),
  // D: Good Friday 11:00 CEST: a weekday hour but a holiday, so off hours (SLA 2 h, not 30 min):
  // ack +2700 s is no breach; mitigated +3600 s, resolved +7200 s.
  e('inc-4', '2026-04-03T09:00:00Z', 'notified', { note: 'paged: bob (level 1)' }),
  e('inc-4', '2026-04-03T09:45:00Z', 'acknowledged', { actor: 'bob' }),
  e('inc-4', '2026-04-03T10:00:00Z', 'mitigated', { actor: 'bob' }),
  e('inc-4', '2026-04-03T11:00:00Z', 'resolved', { actor: 'bob' }),
  // A ticket that never rang: no page.
  e('inc-6', '2026-03-25T12:00:00Z', 'fired', { tier: 'ticket' }),
  e('inc-6', '2026-03-25T12:05:00Z', 'acknowledged', { actor: 'carol', tier: 'ticket' }),
];

const PULSES = [
  { user: 'alice', shiftEndMs: T('2026-03-30T07:00:00Z'), score: 4 },
  { user: 'carol', shiftEndMs: T('2026-04-04T10:00:00Z'), score: 3, comment: 'two nights woken' },
  { user: 'bob', shiftEndMs: T('2026-04-05T10:00:00Z'), score: 2, comment: 'quiet' },
  { user: 'bob', shiftEndMs: T('2026-04-06T07:00:00Z'), score: 5 }, // at `to`: outside
];

function answer() {
  return computeHealth({
    fromMs: FROM,
    toMs: TO,
    nowMs: TO,
    escalation,
    rotation,
    entries: LOG,
    pulses: PULSES,
    buckets: [],
    outages: [],
  });
}

describe('health figures from a fixture event log (hand-computed)', () => {
  it('totals over the range: pages, off hours (DST night, holiday), MTTA/MTTM/MTTR, SLA breaches, escalations', () => {
    const a = HealthAnswer.parse(answer());
    expect(a).toMatchObject({
      from: '2026-03-23T08:00:00.000Z',
      to: '2026-04-06T07:00:00.000Z',
      timeZone: 'Europe/Berlin',
      pages: 5, // A B C D E
      offHoursPages: 3, // B (Saturday night), C (before 09:00), D (holiday)
      mttaSeconds: 3225, // (600 + 9000 + 600 + 2700) / 4
      mttmSeconds: 5700, // (1800 + 16200 + 3600 + 1200) / 4 — B and E: their resolution
      mttrSeconds: 7050, // (3600 + 16200 + 7200 + 1200) / 4
      ackSlaBreaches: 1, // B: 2.5 h > 2 h
      escalations: 1,
    });
  });

  it('per person: pages held and on-call hours, off hours split across DST and the holiday', () => {
    const a = answer();
    // Week 3 is 167 h (DST); 40 h of it business. Week 4 is 168 h; 32 h business (Good Friday off).
    expect(a.byUser).toEqual({
      alice: { pages: 3, offHoursPages: 2, mttaSeconds: 3400, onCallHours: 155, offHoursOnCallHours: 115 },
      bob: { pages: 2, offHoursPages: 1, mttaSeconds: 2700, onCallHours: 335, offHoursOnCallHours: 263 },
      carol: { pages: 0, offHoursPages: 0, mttaSeconds: null, onCallHours: 180, offHoursOnCallHours: 148 },
    });
  });

  it('per rotation week, with the same figures', () => {
    const [w3, w4, ...rest] = answer().weeks;
    expect(rest).toEqual([]);
    expect(w3).toMatchObject({
      from: '2026-03-23T08:00:00.000Z',
      to: '2026-03-30T07:00:00.000Z',
      pages: 3,
      offHoursPages: 2,
      mttaSeconds: 3400,
      mttmSeconds: 9000,
      mttrSeconds: 9900,
      ackSlaBreaches: 1,
      escalations: 1,
    });
    expect(w3?.byUser.carol).toEqual({
      pages: 0,
      offHoursPages: 0,
      mttaSeconds: null,
      onCallHours: 12,
      offHoursOnCallHours: 12,
    });
    expect(w4).toMatchObject({
      from: '2026-03-30T07:00:00.000Z',
      to: '2026-04-06T07:00:00.000Z',
      pages: 2,
      offHoursPages: 1,
      mttaSeconds: 2700,
      mttmSeconds: 2400,
      mttrSeconds: 4200,
      ackSlaBreaches: 0,
      escalations: 0,
    });
    expect(Object.keys(w4?.byUser ?? {})).toEqual(['bob', 'carol']);
    expect(w4?.byUser.bob?.onCallHours).toBe(168);
    expect(w4?.byUser.bob?.offHoursOnCallHours).toBe(136);
  });

  it('pulse averages per quarter (team zone) over the last four quarters, beside each quarter’s pages', () => {
    // The trend covers the last four whole quarters whatever the range (pages of the whole quarter:
    // Q1 includes the page that started before the range).
    const empty = { responses: 0, average: null, pages: 0, comments: [] };
    expect(answer().pulse).toEqual([
      { quarter: '2025-Q3', from: '2025-06-30T22:00:00.000Z', to: '2025-09-30T22:00:00.000Z', ...empty },
      { quarter: '2025-Q4', from: '2025-09-30T22:00:00.000Z', to: '2025-12-31T23:00:00.000Z', ...empty },
      {
        quarter: '2026-Q1',
        from: '2025-12-31T23:00:00.000Z',
        to: '2026-03-31T22:00:00.000Z',
        responses: 1,
        average: 4,
        pages: 4,
        comments: [],
      },
      {
        quarter: '2026-Q2',
        from: '2026-03-31T22:00:00.000Z',
        to: '2026-04-06T07:00:00.000Z',
        responses: 2,
        average: 2.5,
        pages: 2,
        // The quarter's latest comments, newest first, without names.
        comments: [
          { shiftEnd: '2026-04-05T10:00:00.000Z', score: 2, comment: 'quiet' },
          { shiftEnd: '2026-04-04T10:00:00.000Z', score: 3, comment: 'two nights woken' },
        ],
      },
    ]);
  });

  it('an unacknowledged page still open breaches its SLA once the SLA has passed by now', () => {
    const log = [e('inc-9', '2026-03-24T09:00:00Z', 'notified', { note: 'paged: alice (level 1)' })];
    const at = (nowIso: string) =>
      computeHealth({
        fromMs: FROM,
        toMs: TO,
        nowMs: T(nowIso),
        escalation,
        rotation,
        entries: log,
        pulses: [],
        buckets: [],
        outages: [],
      }).ackSlaBreaches;
    expect(at('2026-03-24T09:29:00Z')).toBe(0);
    expect(at('2026-03-24T09:31:00Z')).toBe(1);
  });

  it('a reopened incident that rings again is a second page', () => {
    const log = [
      e('inc-7', '2026-03-24T09:00:00Z', 'notified', { note: 'paged: alice (level 1)' }),
      e('inc-7', '2026-03-24T09:05:00Z', 'resolved'),
      e('inc-7', '2026-03-24T11:00:00Z', 'updated', { note: 'reopened' }),
      e('inc-7', '2026-03-24T11:00:00Z', 'notified', { note: 'paged (reopened): bob (level 1)' }),
    ];
    expect(pagesFromLog(log).map((p) => [p.holder, p.resolvedMs !== undefined])).toEqual([
      ['alice', true],
      ['bob', false],
    ]);
  });

  it('a ticket notified through a ticket-tier escalation policy is not a page', () => {
    const log = [
      e('inc-8', '2026-03-24T09:00:00Z', 'notified', { note: 'paged: alice (level 1)', tier: 'ticket' }),
      e('inc-8', '2026-03-24T09:30:00Z', 'escalated', { note: 'escalated to level 2: bob (level 2)', tier: 'ticket' }),
      e('inc-8', '2026-03-24T09:40:00Z', 'acknowledged', { actor: 'bob', tier: 'ticket' }),
      e('inc-9', '2026-03-24T10:00:00Z', 'notified', { note: 'paged: carol (level 1)' }),
    ];
    expect(pagesFromLog(log).map((p) => [p.incidentId, p.holder])).toEqual([['inc-9', 'carol']]);
  });

  it('reads the holder from the escalate stage’s notes', () => {
    expect(noteTarget('paged: alice (level 1)')).toBe('alice');
    expect(noteTarget('escalated to level 2: bob smith (level 2) (due 2026-03-29T00:00:00.000Z)')).toBe('bob smith');
    expect(noteTarget('every member resolved')).toBeUndefined();
  });

  it('business time is DST-correct and skips holidays', () => {
    const bh = escalation.businessHours;
    // Sunday of the DST change: no business hours; the day itself is 23 h.
    expect(businessMsBetween(bh, T('2026-03-28T23:00:00Z'), T('2026-03-29T22:00:00Z'))).toBe(0);
    // Monday after: 09:00–17:00 CEST = 07:00Z–15:00Z.
    expect(businessMsBetween(bh, T('2026-03-30T00:00:00Z'), T('2026-03-30T23:00:00Z'))).toBe(8 * HOUR);
    expect(businessMsBetween(bh, T('2026-04-03T00:00:00Z'), T('2026-04-03T22:00:00Z'))).toBe(0);
  });
});

describe('business time from precomputed windows', () => {
  it('agrees with inBusinessHours at every quarter hour of a fortnight with DST and a holiday', () => {
    const from = T('2026-03-27T00:00:00Z');
    const to = T('2026-04-06T00:00:00Z');
    const ctx = { escalation, rotation, nowMs: to, plan: onCallPlan(rotation, escalation.businessHours, from, to) };
    for (let t = from; t < to; t += 15 * 60_000) {
      expect(isBusinessTime(ctx, t), new Date(t).toISOString()).toBe(inBusinessHours(escalation.businessHours, t));
    }
  });
});

describe('health range parameters', () => {
  const q = (s: string) => parseHealthRange(new URLSearchParams(s));
  it('accepts an ISO range', () => {
    expect(q('from=2026-03-01T00:00:00Z&to=2026-03-08T00:00:00%2B01:00')).toEqual({
      ok: true,
      fromMs: T('2026-03-01T00:00:00Z'),
      toMs: T('2026-03-07T23:00:00Z'),
    });
  });
  it.each([
    ['to=2026-03-08T00:00:00Z', 'from', /required/],
    ['from=2026-03-01T00:00:00Z', 'to', /required/],
    ['from=yesterday&to=2026-03-08T00:00:00Z', 'from', /ISO 8601/],
    ['from=2026-03-01&to=2026-03-08T00:00:00Z', 'from', /ISO 8601/],
    ['from=2026-02-30T00:00:00Z&to=2026-03-08T00:00:00Z', 'from', /ISO 8601/],
    ['from=2026-03-08T00:00:00Z&to=2026-03-01T00:00:00Z', 'to', /after from/],
    ['from=2026-03-08T00:00:00Z&to=2026-03-08T00:00:00Z', 'to', /after from/],
    ['from=2025-01-01T00:00:00Z&to=2026-03-08T00:00:00Z', 'to', /at most 366 days/],
  ])('%s → 400 naming %s', (query, field, message) => {
    const r = q(query);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.field).toBe(field);
      expect(r.message).toMatch(message);
    }
  });
});

describe('SLO accounting: provider outage minutes attributed to the provider', () => {
  const MIN = 60_000;
  const W0 = T('2026-03-02T00:00:00Z');
  const weeks = [
    { fromMs: W0, toMs: W0 + 7 * 24 * HOUR },
    { fromMs: W0 + 7 * 24 * HOUR, toMs: W0 + 14 * 24 * HOUR },
  ];
  const minute = (m: number, service: string, provider: string, count: number, errors: number) => ({
    startMs: W0 + HOUR + m * MIN,
    durationMs: MIN,
    service,
    provider,
    count,
    errors,
  });
  it('attributes the outage minutes and their failures, per service and provider', () => {
    const buckets = [
      // chat via openai: 10 minutes of 100 requests; minutes 3–6 inside the outage (all failing).
      ...Array.from({ length: 10 }, (_, m) =>
        minute(m, 'chat', 'openai', 100, m >= 3 && m < 7 ? 100 : m === 9 ? 5 : 0),
      ),
      // chat via anthropic during the openai outage: not openai's fault.
      minute(4, 'chat', 'anthropic', 50, 2),
      // search via openai: one minute half inside the outage? no: minute 6 fully inside.
      minute(6, 'search', 'openai', 10, 10),
      // An hourly bucket of support via openai in week 2, overlapping a 15-minute outage: a quarter.
      {
        startMs: weeks[1]!.fromMs + 2 * HOUR,
        durationMs: HOUR,
        service: 'support',
        provider: 'openai',
        count: 400,
        errors: 120,
      },
    ];
    const outages = [
      { provider: 'openai', startMs: W0 + HOUR + 3 * MIN, endMs: W0 + HOUR + 7 * MIN },
      // A second alert over the same minutes counts them once.
      { provider: 'openai', startMs: W0 + HOUR + 5 * MIN, endMs: W0 + HOUR + 6 * MIN },
      {
        provider: 'openai',
        startMs: weeks[1]!.fromMs + 2 * HOUR + 30 * MIN,
        endMs: weeks[1]!.fromMs + 2 * HOUR + 45 * MIN,
      },
    ];
    const [w1, w2] = sloWeeks(buckets, outages, weeks);
    expect(w1?.services).toEqual([
      {
        service: 'chat',
        requests: 1050,
        failed: 407, // 400 in the outage, 5 at minute 9, 2 via anthropic
        availability: 643 / 1050,
        availabilityExcludingProviders: (1050 - 7) / 1050,
        providerLosses: [{ provider: 'openai', minutes: 4, failed: 400 }],
      },
      {
        service: 'search',
        requests: 10,
        failed: 10,
        availability: 0,
        availabilityExcludingProviders: 1,
        providerLosses: [{ provider: 'openai', minutes: 1, failed: 10 }],
      },
    ]);
    expect(w2?.services).toEqual([
      {
        service: 'support',
        requests: 400,
        failed: 120,
        availability: 280 / 400,
        availabilityExcludingProviders: 310 / 400, // 30 of 120 failures fall in the quarter hour down
        providerLosses: [{ provider: 'openai', minutes: 15, failed: 30 }],
      },
    ]);
  });
  it('no traffic, no availability (null), and an outage with no traffic costs nothing', () => {
    const [w1] = sloWeeks([], [{ provider: 'openai', startMs: W0, endMs: W0 + HOUR }], weeks);
    expect(w1?.services).toEqual([]);
  });
});

describe('Health view helpers', () => {
  it('warns when pages rise three weeks running', () => {
    expect(risingRun([1, 2, 3, 4])).toBe(true);
    expect(risingRun([5, 1, 2, 3, 4])).toBe(true);
    expect(risingRun([1, 2, 3])).toBe(false);
    expect(risingRun([1, 2, 2, 4])).toBe(false);
    expect(risingRun([4, 3, 2, 1])).toBe(false);
  });
  it('writes the customer-comms note: affected, since, next update', () => {
    const note = customerCommsNote({
      provider: 'openai',
      services: ['chat', 'search'],
      sinceMs: T('2026-03-24T09:00:00Z'),
      nowMs: T('2026-03-24T09:40:00Z'),
      zone: 'Europe/Berlin',
    });
    expect(note).toContain('What is affected: chat, search.');
    expect(note).toContain('Since: 2026-03-24 10:00 GMT+1.');
    expect(note).toContain('Next update: by 2026-03-24 11:10 GMT+1');
  });
  it('writes the note only for an open provider-down alert, naming every service in the incident', () => {
    const alert = (
      ruleId: string,
      service: string | undefined,
      status = 'firing',
      firedAt = '2026-03-24T09:05:00Z',
    ) => ({
      ruleId,
      status,
      firedAt,
      labels: { provider: 'openai', ...(service ? { service } : {}) },
    });
    const now = T('2026-03-24T09:40:00Z');
    expect(commsNoteFor([alert('error-rate', 'chat')], now, 'UTC')).toBeNull();
    expect(commsNoteFor([alert('provider-down', undefined, 'resolved')], now, 'UTC')).toBeNull();
    const note = commsNoteFor(
      [
        alert('provider-down', undefined, 'firing', '2026-03-24T09:00:00Z'),
        alert('error-rate', 'search'),
        alert('error-rate', 'chat'),
      ],
      now,
      'UTC',
    );
    expect(note).toContain('upstream provider openai outage');
    expect(note).toContain('What is affected: chat, search.');
    expect(note).toContain('Since: 2026-03-24 09:00 UTC.');
  });
});
