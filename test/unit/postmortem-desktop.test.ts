import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCache, type Cache, type LogFrame } from '../../electron/main/services/cache/index.js';
import { Outbox } from '../../electron/main/services/outbox.js';
import {
  openPostmortemCache,
  PostmortemApi,
  type PostmortemCache,
} from '../../electron/main/services/postmortems/index.js';
import type { Alert } from '../../shared/protocol/alert.js';
import type { Incident } from '../../shared/protocol/incident.js';
import { wireAlert } from '../fixtures/wire-alert.js';

/**
 * The desktop side of issue 15 on a real cache file, with the collector away (the outbox never
 * sends): a draft, its action items and review marks show at once, pending; what the collector
 * sends later replaces them.
 */
const NOW = Date.parse('2026-01-07T12:00:00.000Z');
const clock = { now: () => NOW };

const incident: Incident = {
  id: 'inc-1',
  key: '{service="chat"}',
  tier: 'page',
  status: 'acknowledged',
  title: 'chat errors',
  alertIds: ['err'],
  firedAt: '2026-01-05T09:00:00.000Z',
  acknowledgedBy: 'ana',
  acknowledgedAt: '2026-01-05T09:04:30.250Z',
};
const err: Alert = wireAlert('err', {
  incidentId: 'inc-1',
  summary: 'chat errors 9%',
  firedAt: '2026-01-05T09:00:00.000Z',
});
const ticket: Alert = wireAlert('tk', {
  tier: 'ticket',
  ruleId: 'novel-error',
  summary: 'new error string',
  firedAt: '2026-01-06T08:00:00.000Z',
});
const oldTicket: Alert = wireAlert('old', {
  tier: 'ticket',
  ruleId: 'novel-error',
  summary: 'older',
  status: 'resolved',
  firedAt: '2025-12-20T08:00:00.000Z',
  resolvedAt: '2025-12-21T08:00:00.000Z',
});

const log: LogFrame[] = [
  {
    type: 'incident',
    seq: 1,
    at: '2026-01-05T09:00:00.100Z',
    incidentId: 'inc-1',
    kind: 'fired',
    incident: { ...incident, status: 'firing' },
  },
  { type: 'event', seq: 2, at: '2026-01-05T09:00:00.100Z', alertId: 'err', kind: 'fired', alert: err },
  {
    type: 'incident',
    seq: 3,
    at: '2026-01-05T09:00:30.900Z',
    incidentId: 'inc-1',
    kind: 'notified',
    note: 'paged: ana (level 1)',
    incident,
  },
  {
    type: 'incident',
    seq: 4,
    at: '2026-01-05T09:04:30.250Z',
    incidentId: 'inc-1',
    kind: 'acknowledged',
    actor: 'ana',
    incident,
  },
  { type: 'event', seq: 5, at: '2026-01-06T08:00:00.000Z', alertId: 'tk', kind: 'fired', alert: ticket },
  { type: 'event', seq: 6, at: '2025-12-20T08:00:00.000Z', alertId: 'old', kind: 'fired', alert: oldTicket },
];

describe('postmortems on the desktop, offline', () => {
  let dir: string;
  let cache: Cache;
  let pms: PostmortemCache;
  let api: PostmortemApi;
  let n = 0;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-pm-desk-'));
    cache = openCache(join(dir, 'cache.db'), { now: '2026-01-07T12:00:00.000Z' });
    cache.applyEvents(log, '2026-01-07T12:00:00.000Z');
    pms = openPostmortemCache(cache.path);
    const outbox = new Outbox({
      cache,
      channel: { isReady: () => false, send: () => false, onReady: () => () => {}, onResult: () => () => {} },
      clock,
      newId: () => `cmd-${++n}`,
    });
    api = new PostmortemApi({
      cache,
      postmortems: pms,
      outbox,
      clock,
      user: 'ana',
      timeZone: () => 'Europe/Berlin',
      runbookFor: (a) => a.ruleId,
      onSynced: () => () => {},
    });
  });

  afterEach(() => {
    pms.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a draft made offline at once, from the cached timeline, and the synced one once it arrives', () => {
    const { postmortemId } = api.draft('inc-1');
    const draft = api.forIncident('inc-1');
    expect(draft).toMatchObject({ id: postmortemId, rev: 0, createdBy: 'ana', incident: { runbookId: 'error-rate' } });
    expect(draft?.timeline.map((t) => [t.at, t.category])).toEqual([
      ['2026-01-05T09:00:00Z', 'fired'],
      ['2026-01-05T09:00:00Z', 'fired'],
      ['2026-01-05T09:00:30Z', 'notified'],
      ['2026-01-05T09:04:30Z', 'acknowledged'],
    ]);
    // A repeat draft is the same postmortem (idempotent, one per incident).
    expect(api.draft('inc-1').postmortemId).toBe(postmortemId);
    expect(api.list()).toHaveLength(1);
    expect(() => api.draft('inc-404')).toThrow(/^incidentId: no incident/);

    // Items and edits queued offline show on top; overdue is judged in the team's zone.
    const a = api.addActionItem({ postmortemId, kind: 'task', text: 'Fix retries', owner: 'bob', due: '2026-01-06' });
    const b = api.addActionItem({
      postmortemId,
      kind: 'runbook-follow-up',
      text: 'Update the runbook',
      owner: 'ana',
      due: '2026-01-31',
    });
    api.updateActionItem({ postmortemId, itemId: b.itemId, done: true });
    api.edit({ postmortemId, field: 'impact', text: '9% of chats failed' });
    const list = api.actionItems();
    expect(list.items.map((i) => [i.id, i.overdue, i.pending, i.done, i.runbookId])).toEqual([
      [a.itemId, true, true, false, undefined],
      [b.itemId, false, true, true, 'error-rate'],
    ]);
    expect(list.summary).toEqual({ total: 2, done: 1, open: 1, overdue: 1, completionRate: 0.5 });
    expect(api.get(postmortemId)?.sections.impact).toBe('9% of chats failed');
    expect(api.markdown(postmortemId).markdown).toContain('## Impact\n\n9% of chats failed');

    // The collector's version arrives (applied in order): nothing pending any more.
    api.mark({ week: '2026-01-05', itemKey: 'alert:tk', reviewed: true });
    const synced = { ...(api.get(postmortemId) ?? draft!), rev: 4 };
    for (const item of cache.outbox()) cache.markOutbox(item.id, 'applied');
    // Applied but not pulled yet: the draft and its items stay (no flicker), still marked pending.
    expect(api.actionItems().items.map((i) => i.pending)).toEqual([true, true]);
    // An applied review mark is the collector's to send (the marks table), never re-applied here.
    expect(api.review('2026-01-05').items[0]?.pending).toBe(false);
    pms.put([synced]);
    expect(api.get(postmortemId)?.rev).toBe(4);
    expect(api.actionItems().items.every((i) => !i.pending)).toBe(true);
  });

  it("puts this desktop's offline changes on the postmortem another desktop drafted for the same incident", () => {
    const { postmortemId } = api.draft('inc-1');
    const a = api.addActionItem({ postmortemId, kind: 'task', text: 'Fix retries', owner: 'bob', due: '2026-02-06' });
    api.edit({ postmortemId, field: 'impact', text: '9% of chats failed' });
    // Bob's draft of the same incident reached the collector first; this desktop pulls it.
    const bobs = { ...api.get(postmortemId)!, id: 'pm-inc-1', createdBy: 'bob', actionItems: [], rev: 1 };
    bobs.sections = { ...bobs.sections, impact: '' };
    pms.put([bobs]);
    const shown = api.list();
    expect(shown).toHaveLength(1);
    expect(shown[0]).toMatchObject({ id: postmortemId, createdBy: 'bob', sections: { impact: '9% of chats failed' } });
    expect(shown[0]?.actionItems.map((i) => i.id)).toEqual([a.itemId]);
    // The collector applied this desktop's draft as a no-op: the pulled postmortem stands.
    for (const item of cache.outbox()) cache.markOutbox(item.id, 'applied');
    pms.put([{ ...bobs, rev: 3, sections: { ...bobs.sections, impact: '9% of chats failed' } }]);
    expect(api.forIncident('inc-1')?.createdBy).toBe('bob');
  });

  it("lists the week's tickets from the cache by time, with marks made offline", () => {
    const review = api.review(undefined);
    expect(review).toMatchObject({ week: '2026-01-05', timeZone: 'Europe/Berlin' });
    expect(review.weeks.slice(0, 2)).toEqual(['2026-01-05', '2025-12-29']);
    expect(review.items.map((i) => i.alertId)).toEqual(['tk']);
    api.mark({ week: '2026-01-05', itemKey: 'alert:tk', reviewed: true, note: 'known' });
    expect(api.review('2026-01-05').items[0]).toMatchObject({
      reviewed: true,
      note: 'known',
      by: 'ana',
      pending: true,
    });
    expect(api.review('2025-12-15').items.map((i) => i.alertId)).toEqual(['old']);
    // Marks only for 12 weeks back to next week (the collector's rule), refused before queueing.
    expect(() => api.mark({ week: '2025-10-06', itemKey: 'alert:old', reviewed: true })).toThrow(/^week: /);
    expect(() => api.mark({ week: '2026-01-19', itemKey: 'alert:tk', reviewed: true })).toThrow(/^week: /);
    expect(api.mark({ week: '2026-01-12', itemKey: 'alert:tk', reviewed: true }).commandId).toBeTruthy();
    expect(() => api.updateActionItem({ postmortemId: 'nope', itemId: 'x', done: true })).toThrow(/^postmortemId: /);
  });
});
