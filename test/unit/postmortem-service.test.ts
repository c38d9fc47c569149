import Database from 'better-sqlite3';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openPostmortemStore } from '../../electron/collector/postmortems/postmortem-store.js';
import { PostmortemService } from '../../electron/collector/postmortems/postmortem-service.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import { postmortemIdFor } from '../../shared/postmortem/apply.js';
import { REVIEW_MAX_MARKS_PER_WEEK } from '../../shared/postmortem/schema.js';
import type { Incident } from '../../shared/protocol/incident.js';
import type { CommandFrame } from '../../shared/protocol/stream.js';
import { chatIncident, insertIncidentRow, tmpDirs } from '../fixtures/collector-db.js';

/**
 * The collector's postmortem service on a real collector.db: one postmortem per incident, so
 * two desktops drafting the same incident (each before it saw the other's, e.g. both offline)
 * both succeed and the edits and action items queued on either apply to the same postmortem.
 */
const tmp = tmpDirs();

const T0 = Date.parse('2026-03-24T09:00:00Z');
const incident = chatIncident(T0, { status: 'resolved', title: 'chat errors', alertIds: [] });

function service(): { svc: PostmortemService; now: { t: number }; file: string } {
  const file = join(tmp('vigil-pm-svc-'), 'collector.db');
  openStore(file, T0).close();
  const db = new Database(file);
  insertIncidentRow(db, incident, T0);
  db.close();
  const now = { t: T0 + 3_600_000 };
  const svc = new PostmortemService({
    store: openPostmortemStore(file),
    clock: { now: () => now.t },
    timeZone: () => 'Europe/Berlin',
  });
  return { svc, now, file };
}

const draft = (id: string): CommandFrame => ({
  type: 'command',
  id,
  kind: 'postmortem-draft',
  postmortemDraft: { incidentId: 'inc-1' },
});

describe('postmortem service', () => {
  it('takes two desktops drafting the same incident as one postmortem, with both sets of changes', () => {
    const { svc, now } = service();
    const pmId = postmortemIdFor('inc-1');
    // Alice drafted and added an item; Bob, offline, drafted too and queued an edit and an item.
    expect(svc.apply(draft('alice-d'), 'alice')).toEqual({ ok: true });
    expect(
      svc.apply(
        {
          type: 'command',
          id: 'alice-i',
          kind: 'action-item',
          actionItem: {
            op: 'add',
            postmortemId: pmId,
            kind: 'task',
            text: 'retry budget',
            owner: 'alice',
            due: '2026-04-01',
          },
        },
        'alice',
      ),
    ).toEqual({ ok: true });
    now.t += 60_000;
    expect(svc.apply(draft('bob-d'), 'bob')).toEqual({ ok: true });
    expect(
      svc.apply(
        {
          type: 'command',
          id: 'bob-e',
          kind: 'postmortem-edit',
          postmortemEdit: { postmortemId: pmId, field: 'impact', text: '9%' },
        },
        'bob',
      ),
    ).toEqual({ ok: true });
    expect(
      svc.apply(
        {
          type: 'command',
          id: 'bob-i',
          kind: 'action-item',
          actionItem: {
            op: 'add',
            postmortemId: pmId,
            kind: 'task',
            text: 'status page',
            owner: 'bob',
            due: '2026-04-02',
          },
        },
        'bob',
      ),
    ).toEqual({ ok: true });

    const { postmortems } = svc.page(0, 10);
    expect(postmortems).toHaveLength(1);
    const pm = postmortems[0]!;
    expect(pm).toMatchObject({ id: pmId, createdBy: 'alice', sections: { impact: '9%' } });
    expect(pm.actionItems.map((a) => [a.id, a.createdBy])).toEqual([
      ['alice-i', 'alice'],
      ['bob-i', 'bob'],
    ]);
    svc.close();
  });

  it('derives ids that fit the command bound from any incident id, stably', () => {
    expect(postmortemIdFor('inc-7')).toBe('pm-inc-7');
    const long = 'x'.repeat(200);
    expect(postmortemIdFor(long).length).toBeLessThanOrEqual(100);
    expect(postmortemIdFor(long)).toBe(postmortemIdFor(long));
    expect(postmortemIdFor(long)).not.toBe(postmortemIdFor(`${'x'.repeat(199)}y`));
  });

  it('accepts review marks from 12 weeks back to next week only, a bounded number a week, and lists that span', () => {
    const { svc } = service();
    // Now: Tuesday 24 March 2026, 10:00 UTC: this week is 2026-03-23 in Berlin.
    const mark = (id: string, week: string, itemKey = 'alert:x'): ReturnType<PostmortemService['apply']> =>
      svc.apply({ type: 'command', id, kind: 'review-mark', reviewMark: { week, itemKey, reviewed: true } }, 'ana');
    expect(mark('m1', '2026-03-23')).toEqual({ ok: true });
    expect(mark('m2', '2026-03-30')).toEqual({ ok: true }); // next week
    expect(mark('m3', '2025-12-29')).toEqual({ ok: true }); // 12 weeks back
    expect(mark('m4', '2026-04-06')).toMatchObject({ ok: false, error: expect.stringMatching(/^reviewMark\.week: /) });
    expect(mark('m5', '2025-12-22')).toMatchObject({ ok: false, error: expect.stringMatching(/^reviewMark\.week: /) });
    expect(mark('m6', '1970-01-05')).toMatchObject({ ok: false });
    expect(svc.marks('0000-01-01', 100).map((m) => m.week)).toEqual(['2026-03-30', '2026-03-23', '2025-12-29']);

    for (let i = 0; i < REVIEW_MAX_MARKS_PER_WEEK; i++) expect(mark(`f${i}`, '2026-03-16', `alert:${i}`).ok).toBe(true);
    expect(mark('full', '2026-03-16', 'alert:one-more')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^reviewMark\.itemKey: /),
    });
    // Changing a mark the full week holds is fine.
    expect(mark('again', '2026-03-16', 'alert:3')).toEqual({ ok: true });
    expect(svc.marks('2026-03-16', 10_000).filter((m) => m.week === '2026-03-16')).toHaveLength(
      REVIEW_MAX_MARKS_PER_WEEK,
    );
    svc.close();
  });

  it('keeps the end of a long incident (mitigated, resolved) and drops alert updates and mirrors before reading', () => {
    const file = join(tmp('vigil-pm-long-'), 'collector.db');
    openStore(file, T0).close();
    const long: Incident = { ...incident, id: 'inc-9', alertIds: ['a1'] };
    const db = new Database(file);
    insertIncidentRow(db, long, T0);
    const row = db.prepare(
      `INSERT INTO alert_events (at, alert_id, kind, actor, note, alert_json, incident_id, incident_json)
       VALUES (?, ?, ?, ?, ?, '{}', ?, ?)`,
    );
    const inc = JSON.stringify(long);
    db.transaction(() => {
      row.run(T0, 'inc-9', 'fired', null, null, 'inc-9', inc);
      row.run(T0 + 1_000, 'a1', 'fired', null, null, null, null);
      // Hours of a flapping member: thousands of label updates and mirrors of incident commands.
      for (let i = 0; i < 6_000; i++) {
        row.run(T0 + 2_000 + i, 'a1', 'updated', null, null, null, null);
        if (i % 2 === 0) row.run(T0 + 2_000 + i, 'a1', 'commented', 'ana', 'with incident inc-9', null, null);
      }
      for (let i = 0; i < 400; i++)
        row.run(T0 + 10_000 + i * 1000, 'inc-9', 'commented', 'ana', `note ${i}`, 'inc-9', inc);
      row.run(T0 + 600_000, 'inc-9', 'mitigated', 'ana', null, 'inc-9', inc);
      row.run(T0 + 700_000, 'inc-9', 'resolved', 'ana', null, 'inc-9', inc);
    })();
    db.close();
    const svc = new PostmortemService({
      store: openPostmortemStore(file),
      clock: { now: () => T0 + 3_600_000 },
      timeZone: () => 'UTC',
    });
    expect(
      svc.apply(
        { type: 'command', id: 'd9', kind: 'postmortem-draft', postmortemDraft: { incidentId: 'inc-9' } },
        'ana',
      ),
    ).toEqual({
      ok: true,
    });
    const pm = svc.page(0, 10).postmortems.find((p) => p.incident.id === 'inc-9');
    const cats = pm?.timeline.map((t) => t.category) ?? [];
    expect(cats.slice(0, 2)).toEqual(['fired', 'fired']);
    expect(cats.slice(-2)).toEqual(['mitigated', 'resolved']);
    expect(pm?.timeline.some((t) => t.text.includes('with incident'))).toBe(false);
    svc.close();
  });

  it('forgets applied command ids after the retention (at start and at most daily)', () => {
    const { svc, now, file } = service();
    expect(svc.apply(draft('old-d'), 'alice')).toEqual({ ok: true });
    svc.close();
    const count = (): number => {
      const db = new Database(file, { readonly: true });
      const n = db.prepare('SELECT COUNT(*) FROM postmortem_commands').pluck().get() as number;
      db.close();
      return n;
    };
    expect(count()).toBe(1);
    now.t += 31 * 86_400_000;
    const later = new PostmortemService({
      store: openPostmortemStore(file),
      clock: { now: () => now.t },
      timeZone: () => 'UTC',
      commandRetentionMs: 30 * 86_400_000,
    });
    expect(count()).toBe(0);
    // A late re-send of the draft is still harmless: one postmortem per incident.
    expect(later.apply(draft('old-d'), 'alice')).toEqual({ ok: true });
    expect(later.page(0, 10).postmortems).toHaveLength(1);
    later.close();
  });
});
