import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  applyActionItem,
  applyEdit,
  buildReviewWeek,
  buildTimeline,
  formatDuration,
  listActionItems,
  newDraft,
  postmortemMarkdown,
  reviewKey,
  shiftWeek,
  weekOf,
  weekRange,
  POSTMORTEM_MAX_ACTION_ITEMS,
  type LogMoment,
  type Postmortem,
} from '../../shared/postmortem/index.js';
import type { Incident } from '../../shared/protocol/incident.js';
import { CommandFrame } from '../../shared/protocol/stream.js';
import { MAX_FRAME_BYTES } from '../../electron/collector/stream/stream-hub.js';
import { describeZodError } from '../../shared/protocol/errors.js';
import { wireAlert } from '../fixtures/wire-alert.js';

const T0 = Date.parse('2026-03-02T03:00:00.000Z');
const at = (s: number): number => T0 + s * 1000 + 437; // milliseconds are dropped: "to the second"

const incident: Incident = {
  id: 'inc-7',
  key: '{service="checkout"}',
  tier: 'page',
  status: 'resolved',
  title: 'checkout: error rate 12% (openai gpt-4o)',
  alertIds: ['a1', 'a2'],
  firedAt: '2026-03-02T03:00:00.437Z',
  acknowledgedBy: 'alice',
  acknowledgedAt: '2026-03-02T03:04:12.000Z',
  mitigatedAt: '2026-03-02T03:20:00.000Z',
  resolvedAt: '2026-03-02T04:02:05.000Z',
};
const alerts = [
  wireAlert('a1', { summary: 'error rate 12% on checkout', incidentId: 'inc-7', labels: { service: 'checkout' } }),
  wireAlert('a2', { ruleId: 'latency-p95', summary: 'p95 3.1 s on checkout', incidentId: 'inc-7' }),
];
/** Every kind of moment a real incident log holds, including member mirrors of incident commands. */
const moments: LogMoment[] = [
  { seq: 10, at: at(0), alertId: 'a1', kind: 'fired' },
  { seq: 11, at: at(0), kind: 'fired', note: 'group {service="checkout"}' },
  { seq: 12, at: at(30), kind: 'notified', note: 'paged: alice (level 1)' },
  { seq: 13, at: at(31), alertId: 'a1', kind: 'action-started', note: 'scale-out.sh' },
  { seq: 14, at: at(45), alertId: 'a1', kind: 'action-finished', note: 'exit 0: 2 replicas added' },
  { seq: 15, at: at(90), alertId: 'a2', kind: 'fired' },
  { seq: 16, at: at(91), alertId: 'a2', kind: 'updated', note: 'joined inc-7' },
  { seq: 17, at: at(200), kind: 'escalated', note: 'ack SLA passed: bob (level 2)' },
  { seq: 18, at: at(252), kind: 'acknowledged', actor: 'alice' },
  { seq: 19, at: at(252), alertId: 'a1', kind: 'acknowledged', actor: 'alice', note: 'with incident inc-7' },
  {
    seq: 20,
    at: at(300),
    alertId: 'a1',
    kind: 'commented',
    actor: 'alice',
    note: 'runbook error-rate: 1 → 3 → 4 (stop)',
  },
  { seq: 21, at: at(400), kind: 'commented', actor: 'bob', note: 'provider status page | degraded' },
  { seq: 22, at: at(1200), kind: 'mitigated', actor: 'alice' },
  { seq: 23, at: at(3725), kind: 'resolved', actor: 'alice' },
];

function draft(): Postmortem {
  return newDraft({ incident, alerts, moments, runbookId: 'error-rate' }, 'alice', Date.parse('2026-03-03T10:00:00Z'));
}

function ok(r: ReturnType<typeof applyEdit>): Postmortem {
  if (!r.ok) throw new Error(r.error ?? r.conflict);
  return r.postmortem;
}

/** A filled-in postmortem: the golden file is its Markdown. */
function filled(): Postmortem {
  let pm = draft();
  const t = Date.parse('2026-03-03T11:00:00Z');
  pm = ok(
    applyEdit(
      pm,
      { postmortemId: pm.id, field: 'summary', text: 'Checkout failed for 12% of requests for an hour.' },
      'alice',
      t,
    ),
  );
  pm = ok(
    applyEdit(
      pm,
      {
        postmortemId: pm.id,
        field: 'rootCause',
        text: 'A provider rollout raised 5xx rates;\nour retry budget was too small.',
      },
      'bob',
      t + 1000,
    ),
  );
  pm = ok(
    applyActionItem(
      pm,
      { op: 'add', postmortemId: pm.id, kind: 'task', text: 'Raise the retry budget', owner: 'bob', due: '2026-03-10' },
      'item-1',
      'alice',
      t + 2000,
    ),
  );
  pm = ok(
    applyActionItem(
      pm,
      {
        op: 'add',
        postmortemId: pm.id,
        kind: 'runbook-follow-up',
        text: 'Add the provider status check to step 2',
        owner: 'alice',
        due: '2026-03-06',
      },
      'item-2',
      'alice',
      t + 3000,
    ),
  );
  pm = ok(
    applyActionItem(
      pm,
      { op: 'update', postmortemId: pm.id, itemId: 'item-2', done: true },
      'item-3',
      'alice',
      t + 4000,
    ),
  );
  return pm;
}

describe('postmortem timeline', () => {
  it('reconstructs every kind of moment to the second, in log order, without mirrors or updates', () => {
    const tl = buildTimeline(moments, alerts, incident.title);
    expect(tl.map((e) => [e.at, e.category])).toEqual([
      ['2026-03-02T03:00:00Z', 'fired'],
      ['2026-03-02T03:00:00Z', 'fired'],
      ['2026-03-02T03:00:30Z', 'notified'],
      ['2026-03-02T03:00:31Z', 'remediation'],
      ['2026-03-02T03:00:45Z', 'remediation'],
      ['2026-03-02T03:01:30Z', 'fired'],
      ['2026-03-02T03:03:20Z', 'escalated'],
      ['2026-03-02T03:04:12Z', 'acknowledged'],
      ['2026-03-02T03:05:00Z', 'runbook'],
      ['2026-03-02T03:06:40Z', 'comment'],
      ['2026-03-02T03:20:00Z', 'mitigated'],
      ['2026-03-02T04:02:05Z', 'resolved'],
    ]);
    expect(tl[2]?.text).toBe('Notified: paged: alice (level 1)');
    expect(tl[4]?.text).toBe('Remediation finished: exit 0: 2 replicas added');
    expect(tl[8]?.text).toBe('Runbook walked by alice: error-rate: 1 → 3 → 4 (stop)');
  });

  it('formats durations', () => {
    expect(formatDuration(252_000)).toBe('4m 12s');
    expect(formatDuration(3_725_000)).toBe('1h 2m 5s');
    expect(formatDuration(0)).toBe('0s');
  });
});

describe('postmortem Markdown export', () => {
  it('matches the golden file', () => {
    const golden = join(import.meta.dirname, '../fixtures/postmortem.golden.md');
    const md = postmortemMarkdown(filled());
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(golden, md);
    expect(md).toBe(readFileSync(golden, 'utf8'));
  });

  it('stamps times with an offset in UTC (the schema allows any offset)', () => {
    const pm = filled();
    const shifted = {
      ...pm,
      incident: { ...pm.incident, firedAt: '2026-03-02T05:00:00.437+02:00', resolvedAt: '2026-03-02T04:02:05Z' },
    };
    const md = postmortemMarkdown(shifted);
    expect(md).toContain('- Fired: 2026-03-02 03:00:00 UTC');
    expect(md).toContain('- Resolved: 2026-03-02 04:02:05 UTC');
  });
});

describe('postmortem commands', () => {
  it('refuses an update of an unknown action item, naming the field', () => {
    const r = applyActionItem(
      draft(),
      { op: 'update', postmortemId: 'pm-inc-7', itemId: 'nope', done: true },
      'c',
      'bob',
      T0,
    );
    expect(r.ok).toBe(false);
    expect(!r.ok && r.conflict).toMatch(/^actionItem\.itemId: /);
  });

  it('refuses a runbook follow-up when the incident names no runbook', () => {
    const pm = newDraft({ incident, alerts, moments }, 'alice', T0);
    const r = applyActionItem(
      pm,
      { op: 'add', postmortemId: 'p', kind: 'runbook-follow-up', text: 'x', owner: 'bob', due: '2026-03-10' },
      'c',
      'bob',
      T0,
    );
    expect(!r.ok && r.error).toMatch(/^actionItem\.runbookId: /);
  });

  it('bounds action items per postmortem and applies an add once per command id', () => {
    let pm = draft();
    const add = { op: 'add', postmortemId: pm.id, kind: 'task', text: 't', owner: 'bob', due: '2026-03-10' } as const;
    for (let i = 0; i < POSTMORTEM_MAX_ACTION_ITEMS; i++) pm = ok(applyActionItem(pm, add, `c${i}`, 'bob', T0));
    expect(ok(applyActionItem(pm, add, 'c0', 'bob', T0))).toBe(pm);
    const r = applyActionItem(pm, add, 'one-more', 'bob', T0);
    expect(!r.ok && r.error).toMatch(/^actionItem: .*at most 50/);
  });

  it('refuses bad command payloads in the frame schema, naming the field', () => {
    const bad: [unknown, string][] = [
      [
        {
          kind: 'action-item',
          actionItem: { op: 'add', postmortemId: 'p', kind: 'task', text: 'x', owner: 'bob', due: '2026-02-30' },
        },
        'actionItem.due',
      ],
      [
        {
          kind: 'action-item',
          actionItem: { op: 'add', postmortemId: 'p', kind: 'task', text: '   ', owner: 'bob', due: '2026-03-01' },
        },
        'actionItem.text',
      ],
      [
        {
          kind: 'action-item',
          actionItem: { op: 'add', postmortemId: 'p', kind: 'task', text: 'x', owner: 'bo\u202eb', due: '2026-03-01' },
        },
        'actionItem.owner',
      ],
      [
        { kind: 'postmortem-edit', postmortemEdit: { postmortemId: 'p', field: 'summary', text: 'x'.repeat(5001) } },
        'postmortemEdit.text',
      ],
      [
        { kind: 'postmortem-edit', postmortemEdit: { postmortemId: 'p', field: 'title', text: 'x'.repeat(201) } },
        'postmortemEdit.text',
      ],
      [
        { kind: 'postmortem-edit', postmortemEdit: { postmortemId: 'p', field: 'blame', text: 'x' } },
        'postmortemEdit.field',
      ],
      [{ kind: 'review-mark', reviewMark: { week: '2026-03-03', itemKey: 'k', reviewed: true } }, 'reviewMark.week'],
      [
        {
          kind: 'review-mark',
          reviewMark: { week: '2026-03-02', itemKey: 'k', reviewed: true, note: 'n'.repeat(2001) },
        },
        'reviewMark.note',
      ],
      [{ kind: 'postmortem-draft' }, 'postmortemDraft'],
      [{ kind: 'postmortem-draft', postmortemDraft: { incidentId: 'inc-1' }, incidentId: 'inc-1' }, 'alertId'],
    ];
    for (const [frame, field] of bad) {
      const r = CommandFrame.safeParse({ type: 'command', id: 'c1', ...(frame as object) });
      expect(r.success, JSON.stringify(frame).slice(0, 80)).toBe(false);
      if (!r.success) expect(describeZodError(r.error).field).toBe(field);
    }
  });
});

describe('postmortem command size', () => {
  it('the largest postmortem commands stay inside the door margin (60% of MAX_FRAME_BYTES)', () => {
    const escaped = (n: number): string => '\u0001'.repeat(n);
    const frames = [
      {
        kind: 'postmortem-edit',
        postmortemEdit: { postmortemId: escaped(100), field: 'wentBadly', text: escaped(5000) },
      },
      {
        kind: 'action-item',
        actionItem: {
          op: 'add',
          postmortemId: escaped(100),
          kind: 'runbook-follow-up',
          text: '€'.repeat(500),
          owner: '€'.repeat(200),
          due: '2026-03-10',
          runbookId: 'a'.repeat(100),
        },
      },
      {
        kind: 'review-mark',
        reviewMark: { week: '2026-03-02', itemKey: escaped(220), reviewed: true, note: escaped(2000) },
      },
    ];
    for (const f of frames) {
      const frame = { type: 'command', id: escaped(100), ...f };
      expect(CommandFrame.safeParse(frame).success, f.kind).toBe(true);
      expect(Buffer.byteLength(JSON.stringify(frame)), f.kind).toBeLessThan(MAX_FRAME_BYTES * 0.6);
    }
  });
});

describe('action items across postmortems', () => {
  it('flags overdue ones in the team zone and gives the completion rate', () => {
    const pm = filled();
    // 2026-03-11 00:30 in Berlin is still 2026-03-10 in UTC: item-1 (due 03-10) is overdue in Berlin only.
    const now = Date.parse('2026-03-10T23:30:00Z');
    const berlin = listActionItems([pm], now, 'Europe/Berlin');
    expect(berlin.items.map((i) => [i.id, i.overdue])).toEqual([
      ['item-1', true],
      ['item-2', false],
    ]);
    expect(berlin.summary).toEqual({ total: 2, done: 1, open: 1, overdue: 1, completionRate: 0.5 });
    expect(listActionItems([pm], now, 'UTC').summary.overdue).toBe(0);
    expect(listActionItems([], now, 'UTC').summary.completionRate).toBeNull();
  });
});

describe('weekly review', () => {
  it('names weeks by their Monday in the team zone, across a DST change', () => {
    // Sunday 2026-03-29 23:30 UTC is Monday 01:30 in Berlin (CEST since that night).
    expect(weekOf(Date.parse('2026-03-29T23:30:00Z'), 'Europe/Berlin')).toBe('2026-03-30');
    expect(weekOf(Date.parse('2026-03-29T23:30:00Z'), 'UTC')).toBe('2026-03-23');
    const { startMs, endMs } = weekRange('2026-03-23', 'Europe/Berlin');
    expect(new Date(startMs).toISOString()).toBe('2026-03-22T23:00:00.000Z');
    expect((endMs - startMs) / 3_600_000).toBe(167);
    expect(shiftWeek('2026-03-30', -1)).toBe('2026-03-23');
  });

  it("lists the week's tier-3 findings and tickets with their marks, last week selectable", () => {
    const now = Date.parse('2026-03-04T12:00:00Z');
    const week = weekOf(now, 'UTC');
    const list = [
      wireAlert('r1', {
        tier: 'review',
        ruleId: 'model-version-change',
        summary: 'gpt-4o-2026-03 seen',
        firedAt: '2026-03-02T08:00:00.000Z',
      }),
      wireAlert('r2', {
        tier: 'review',
        ruleId: 'cost-trend',
        summary: 'cost +40% wow',
        firedAt: '2026-02-20T08:00:00.000Z',
      }),
      wireAlert('t1', {
        tier: 'ticket',
        ruleId: 'novel-error',
        summary: 'new error',
        firedAt: '2026-03-03T08:00:00.000Z',
        status: 'resolved',
        resolvedAt: '2026-03-03T09:00:00.000Z',
      }),
      wireAlert('t0', {
        tier: 'ticket',
        ruleId: 'novel-error',
        summary: 'old',
        firedAt: '2026-02-20T08:00:00.000Z',
        status: 'resolved',
        resolvedAt: '2026-02-21T09:00:00.000Z',
      }),
      wireAlert('p1', { tier: 'page', firedAt: '2026-03-02T08:00:00.000Z' }),
    ];
    const marks = [
      { week, itemKey: reviewKey('t1'), reviewed: true, note: 'known', by: 'bob', at: '2026-03-04T10:00:00.000Z' },
    ];
    const rw = buildReviewWeek(week, 'UTC', list, marks, now);
    expect(rw.week).toBe('2026-03-02');
    expect(rw.weeks.slice(0, 2)).toEqual(['2026-03-02', '2026-02-23']);
    expect(rw.items.map((i) => [i.alertId, i.category, i.reviewed])).toEqual([
      ['r1', 'model-version', false],
      ['r2', 'cost-trend', false], // still open this week
      ['t1', 'ticket', true],
    ]);
    expect(rw.items[2]).toMatchObject({ note: 'known', by: 'bob' });
  });
});
