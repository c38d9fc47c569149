import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openPostmortemStore } from '../../electron/collector/postmortems/postmortem-store.js';
import { PostmortemService } from '../../electron/collector/postmortems/postmortem-service.js';
import { openStore } from '../../electron/collector/store/sqlite-store.js';
import { postmortemIdFor } from '../../shared/postmortem/apply.js';
import type { Incident } from '../../shared/protocol/incident.js';
import type { CommandFrame } from '../../shared/protocol/stream.js';

/**
 * The collector's postmortem service on a real collector.db: one postmortem per incident, so
 * two desktops drafting the same incident (each before it saw the other's, e.g. both offline)
 * both succeed and the edits and action items queued on either apply to the same postmortem.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const T0 = Date.parse('2026-03-24T09:00:00Z');
const incident: Incident = {
  id: 'inc-1',
  key: '{service="chat"}',
  tier: 'page',
  status: 'resolved',
  title: 'chat errors',
  alertIds: [],
  firedAt: new Date(T0).toISOString(),
};

function service(): { svc: PostmortemService; now: { t: number } } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-pm-svc-'));
  dirs.push(dir);
  const file = join(dir, 'collector.db');
  openStore(file, T0).close();
  const db = new Database(file);
  db.prepare('INSERT INTO incidents (id, opened_at, status, json) VALUES (?, ?, ?, ?)').run(
    incident.id,
    T0,
    incident.status,
    JSON.stringify(incident),
  );
  db.close();
  const now = { t: T0 + 3_600_000 };
  const svc = new PostmortemService({ store: openPostmortemStore(file), clock: { now: () => now.t } });
  return { svc, now };
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
});
