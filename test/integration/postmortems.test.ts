import { describe, expect, it } from 'vitest';
import type { AppServices } from '../../electron/main/services/index.js';
import { PostmortemPage, ReviewMarkList, type Postmortem } from '../../shared/postmortem/schema.js';
import { toSecond } from '../../shared/postmortem/timeline.js';
import { openingAlert } from '../../shared/postmortem/apply.js';
import { weekOf } from '../../shared/postmortem/week.js';
import { IncidentList, type Incident } from '../../shared/protocol/incident.js';
import { ServerFrame, type ResultFrame } from '../../shared/protocol/stream.js';
import { FAST_ERROR_RATE_RULES, type CollectorHandle } from '../fixtures/collector.js';
import { desktopsAgainstCollector } from '../fixtures/desktops.js';
import { fireErrorRatePage } from '../fixtures/error-rate-page.js';
import { streamPeer } from '../fixtures/stream-peer.js';
import { authHeaders, until, untilAsync } from './sync-helpers.js';

/**
 * Issue 15: a postmortem drafted from a real incident (a real collector process, its log, real
 * SQLite files), synced to every desktop; action items and review marks made offline apply once
 * after reconnect; bad input is refused naming the field, on HTTP and on the stream.
 */
const CONFIG = `
grouping: { wait: 0s }
${FAST_ERROR_RATE_RULES}`;

const { desktops, start, tmp } = desktopsAgainstCollector();

/** An error-rate page for `service`, and its incident. */
async function firePage(c: CollectorHandle, service: string): Promise<Incident> {
  const page = await fireErrorRatePage(c, service);
  return untilAsync(
    async () => {
      const r = await fetch(`${c.url}/v1/incidents`, { headers: authHeaders(c) });
      return IncidentList.parse(await r.json()).incidents.find((i) => i.id === page.incidentId);
    },
    10_000,
    'the page incident',
  );
}

async function collectorPostmortems(c: CollectorHandle): Promise<Postmortem[]> {
  const res = await fetch(`${c.url}/v1/postmortems`, { headers: authHeaders(c) });
  expect(res.status).toBe(200);
  return PostmortemPage.parse(await res.json()).postmortems;
}

function applied(app: AppServices, id: string): boolean {
  return app.cache.outbox().some((i) => i.id === id && i.state === 'applied');
}

describe('postmortems', () => {
  it('drafts a postmortem from a real incident timeline, to the second, and syncs it to every desktop', async () => {
    const c = await start({ configYaml: CONFIG });
    const incident = await firePage(c, 'pm-checkout');
    const alice = desktops.open(c, 'alice');
    await untilAsync(async () => alice.api.call('incidents.get', { id: incident.id }), 10_000, 'the incident cached');

    // What happens to a page: acknowledged, a runbook walked, a comment, mitigated, resolved.
    const ack = await alice.api.call('incidents.command', { kind: 'ack', incidentId: incident.id });
    await until(() => applied(alice, ack.commandId), 10_000, 'ack applied');
    const runbook = await untilAsync(
      async () => alice.api.call('runbooks.forAlert', { alertId: incident.alertIds[0] ?? '' }),
      10_000,
      'the runbook cached',
    );
    const walk = await alice.api.call('runbooks.recordStep', {
      alertId: incident.alertIds[0] ?? '',
      runbookId: runbook.id,
      path: [runbook.tree.steps[0]?.id ?? '1'],
    });
    const comment = await alice.api.call('incidents.command', {
      kind: 'comment',
      incidentId: incident.id,
      note: 'provider status page says degraded',
    });
    const mitigate = await alice.api.call('incidents.command', { kind: 'mitigate', incidentId: incident.id });
    const resolve = await alice.api.call('incidents.command', { kind: 'resolve', incidentId: incident.id });
    for (const id of [walk.commandId, comment.commandId, mitigate.commandId, resolve.commandId]) {
      await until(() => applied(alice, id), 10_000, `command ${id} applied`);
    }

    // Drafted from the desktop; the collector rebuilds the timeline from its own log.
    const { postmortemId } = await alice.api.call('postmortems.draft', { incidentId: incident.id });
    const synced = await untilAsync(
      async () => {
        const pm = await alice.api.call('postmortems.forIncident', { incidentId: incident.id });
        return pm !== null && pm.rev > 0 ? pm : undefined;
      },
      10_000,
      'the draft synced back',
    );
    expect(synced.id).toBe(postmortemId);
    const [onCollector] = await collectorPostmortems(c);
    expect(onCollector).toEqual(synced);
    const final = IncidentList.parse(
      await (await fetch(`${c.url}/v1/incidents`, { headers: authHeaders(c) })).json(),
    ).incidents.find((i) => i.id === incident.id);
    if (!final?.acknowledgedAt || !final.resolvedAt) throw new Error('incident not acknowledged and resolved');
    // A runbook follow-up links to the runbook of the alert type that opened the incident.
    const detail = await alice.api.call('incidents.get', { id: incident.id });
    const opening = openingAlert(detail?.alerts ?? []);
    const openingRunbook = await alice.api.call('runbooks.forAlert', { alertId: opening?.id ?? '' });
    expect(synced.incident).toMatchObject({ id: incident.id, acknowledgedBy: 'alice', runbookId: openingRunbook?.id });

    const cats = synced.timeline.map((t) => t.category);
    for (const want of ['fired', 'notified', 'acknowledged', 'runbook', 'comment', 'mitigated', 'resolved']) {
      expect(cats, `timeline has ${want}`).toContain(want);
    }
    for (const t of synced.timeline) expect(t.at).toMatch(/T\d\d:\d\d:\d\dZ$/);
    const seqs = synced.timeline.map((t) => t.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(synced.timeline.find((t) => t.category === 'acknowledged')?.at).toBe(toSecond(final.acknowledgedAt));
    expect(synced.timeline.find((t) => t.category === 'resolved' && t.alertId === undefined)?.at).toBe(
      toSecond(final.resolvedAt),
    );
    expect(synced.timeline.find((t) => t.category === 'comment')?.text).toBe(
      'Comment by alice: provider status page says degraded',
    );
    expect(synced.timeline.find((t) => t.category === 'notified')?.text).toMatch(/alice|paged|notif/i);

    // Edits and an action item reach a second desktop; a second draft for the incident is refused.
    const bob = desktops.open(c, 'bob');
    const edit = await alice.api.call('postmortems.edit', { postmortemId, field: 'rootCause', text: 'retry budget' });
    const item = await alice.api.call('postmortems.addActionItem', {
      postmortemId,
      kind: 'runbook-follow-up',
      text: 'Add the status-page check',
      owner: 'bob',
      due: '2020-01-01',
    });
    await until(() => applied(alice, edit.commandId) && applied(alice, item.commandId), 10_000, 'edits applied');
    const onBob = await untilAsync(
      async () => {
        const pm = await bob.api.call('postmortems.get', { id: postmortemId });
        return pm?.actionItems.length === 1 && pm.sections.rootCause === 'retry budget' ? pm : undefined;
      },
      10_000,
      'the postmortem on the second desktop',
    );
    expect(onBob.actionItems[0]).toMatchObject({
      owner: 'bob',
      runbookId: openingRunbook?.id,
      createdBy: 'alice',
      done: false,
    });
    const listed = await bob.api.call('actionItems.list', {});
    expect(listed.items[0]).toMatchObject({ id: item.itemId, overdue: true, pending: false });
    expect(listed.summary).toEqual({ total: 1, done: 0, open: 1, overdue: 1, completionRate: 0 });
    const md = await bob.api.call('postmortems.markdown', { id: postmortemId });
    expect(md.filename).toBe(`postmortem-${incident.id}.md`);
    expect(md.markdown).toContain('## Root cause\n\nretry budget');
    // Bob drafts the same incident too: the same postmortem (one per incident), and his edit lands on it.
    const again = await bob.api.call('postmortems.draft', { incidentId: incident.id });
    expect(again.postmortemId).toBe(postmortemId);
    const bobEdit = await bob.api.call('postmortems.edit', { postmortemId, field: 'wentWell', text: 'fast ack' });
    await until(() => applied(bob, again.commandId) && applied(bob, bobEdit.commandId), 10_000, "bob's draft applied");
    const both = (await collectorPostmortems(c)).filter((p) => p.incident.id === incident.id);
    expect(both.map((p) => [p.id, p.sections.rootCause, p.sections.wentWell])).toEqual([
      [postmortemId, 'retry budget', 'fast ack'],
    ]);
  });

  it('applies action items and review marks made offline exactly once after reconnect', async () => {
    const collectorDir = tmp('vigil-pm-c-');
    const deskDir = tmp('vigil-pm-d-');
    const c = await start({ dataDir: collectorDir, configYaml: CONFIG });
    const incident = await firePage(c, 'pm-offline');
    let dana = desktops.open(c, 'dana', { dataDir: deskDir });
    await untilAsync(async () => dana.api.call('incidents.get', { id: incident.id }), 10_000, 'the incident cached');

    // The collector goes away; everything below is made offline.
    await c.kill('SIGKILL');
    await until(() => dana.sync.status().state !== 'connected', 5000, 'offline');
    const { postmortemId } = await dana.api.call('postmortems.draft', { incidentId: incident.id });
    const offlineDraft = await dana.api.call('postmortems.get', { id: postmortemId });
    expect(offlineDraft?.rev).toBe(0);
    expect(offlineDraft?.timeline.map((t) => t.category)).toContain('fired');
    const a = await dana.api.call('postmortems.addActionItem', {
      postmortemId,
      kind: 'task',
      text: 'Alert on retry exhaustion',
      owner: 'dana',
      due: '2099-01-01',
    });
    const b = await dana.api.call('postmortems.addActionItem', {
      postmortemId,
      kind: 'task',
      text: 'Document the failover',
      owner: 'erin',
      due: '2099-01-02',
    });
    await dana.api.call('postmortems.updateActionItem', { postmortemId, itemId: b.itemId, done: true });
    const week = weekOf(Date.now(), 'UTC');
    await dana.api.call('review.mark', { week, itemKey: 'alert:x', reviewed: true, note: 'seen offline' });
    const offline = await dana.api.call('actionItems.list', {});
    expect(offline.items.map((i) => [i.text, i.pending, i.done])).toEqual([
      ['Alert on retry exhaustion', true, false],
      ['Document the failover', true, true],
    ]);
    expect(offline.summary.completionRate).toBe(0.5);
    expect(dana.cache.outbox().filter((i) => i.state === 'queued')).toHaveLength(5);

    // The desktop restarts while offline: the commands are still in its outbox.
    desktops.disposeAll();
    dana = desktops.open(c, 'dana', { dataDir: deskDir });
    expect((await dana.api.call('actionItems.list', {})).items).toHaveLength(2);

    await c.restart();
    await until(() => dana.cache.outbox().every((i) => i.state === 'applied'), 15_000, 'the outbox applied');
    const onCollector = await untilAsync(
      async () => (await collectorPostmortems(c)).find((p) => p.id === postmortemId),
      5000,
      'the postmortem on the collector',
    );
    expect(onCollector.actionItems.map((i) => [i.id, i.done, i.createdBy])).toEqual([
      [a.itemId, false, 'dana'],
      [b.itemId, true, 'dana'],
    ]);
    const marks = ReviewMarkList.parse(
      await (await fetch(`${c.url}/v1/review/marks?since=${week}`, { headers: authHeaders(c) })).json(),
    );
    expect(marks.marks).toEqual([expect.objectContaining({ itemKey: 'alert:x', note: 'seen offline', by: 'dana' })]);
    const after = await untilAsync(
      async () => {
        const l = await dana.api.call('actionItems.list', {});
        return l.items.length === 2 && l.items.every((i) => !i.pending) ? l : undefined;
      },
      10_000,
      'the items synced back',
    );
    expect(after.items).toHaveLength(2);

    // Re-sending the same commands (a lost result) changes nothing.
    const peer = await streamPeer(c, 'dana');
    peer.ws.send(
      JSON.stringify({
        type: 'command',
        id: a.commandId,
        kind: 'action-item',
        actionItem: { op: 'add', postmortemId, kind: 'task', text: 'dup', owner: 'dana', due: '2099-01-01' },
      }),
    );
    const r = await until(
      () => peer.frames.find((f): f is ResultFrame => f.type === 'result' && f.id === a.commandId),
      5000,
      'the repeated result',
    );
    expect(r.ok).toBe(true);
    expect((await collectorPostmortems(c)).find((p) => p.id === postmortemId)?.actionItems).toHaveLength(2);
    peer.ws.terminate();
  });

  it('refuses bad commands and queries, naming the field', async () => {
    const c = await start({ configYaml: CONFIG });
    for (const [q, field] of [
      ['/v1/postmortems?after=x', 'after'],
      ['/v1/postmortems?limit=0', 'limit'],
      ['/v1/review/marks?since=2026-03-03', 'since'],
    ] as const) {
      const res = await fetch(`${c.url}${q}`, { headers: authHeaders(c) });
      expect(res.status, q).toBe(400);
      expect(await res.json()).toMatchObject({ error: { code: 'invalid_field', field } });
    }
    expect((await fetch(`${c.url}/v1/postmortems`)).status).toBe(401);

    const peer = await streamPeer(c, 'mallory');
    const send = (frame: object) => peer.ws.send(JSON.stringify({ type: 'command', ...frame }));
    // Shape: refused by the frame schema, the error names the field.
    send({
      id: 'b1',
      kind: 'action-item',
      actionItem: { op: 'add', postmortemId: 'p', kind: 'task', text: 'x', owner: 'bob', due: '2026-13-01' },
    });
    const shape = await until(
      () => peer.frames.find((f): f is Extract<ServerFrame, { type: 'error' }> => f.type === 'error'),
      5000,
      'error frame',
    );
    expect(shape).toMatchObject({ code: 'invalid_field' });
    expect(shape.message).toMatch(/^actionItem\.due: /);
    // Meaning: refused by the collector with a result naming the field.
    send({ id: 'b2', kind: 'postmortem-draft', postmortemDraft: { incidentId: 'inc-404' } });
    send({
      id: 'b3',
      kind: 'action-item',
      actionItem: { op: 'update', postmortemId: 'nope', itemId: 'i', done: true },
    });
    send({ id: 'b4', kind: 'postmortem-edit', postmortemEdit: { postmortemId: 'nope', field: 'summary', text: 'x' } });
    const result = (id: string) =>
      until(() => peer.frames.find((f): f is ResultFrame => f.type === 'result' && f.id === id), 5000, `result ${id}`);
    expect(await result('b2')).toMatchObject({ ok: false, error: 'postmortemDraft.incidentId: no incident inc-404' });
    expect((await result('b3')).conflict).toMatch(/^actionItem\.postmortemId: /);
    expect((await result('b4')).conflict).toMatch(/^postmortemEdit\.postmortemId: /);
    peer.ws.terminate();

    // The Api refuses before anything is queued, naming the field.
    const app = desktops.open(c, 'erin');
    for (const [method, params, field] of [
      [
        'postmortems.addActionItem',
        { postmortemId: 'p', kind: 'task', text: 'x', owner: 'bob', due: 'soon' },
        'params.due',
      ],
      ['postmortems.edit', { postmortemId: 'p', field: 'summary', text: 'x'.repeat(5001) }, 'params.text'],
      ['review.mark', { week: '2026-03-04', itemKey: 'k', reviewed: true }, 'params.week'],
    ] as const) {
      const reply = await app.api.handle({ method, params });
      expect(reply.ok, method).toBe(false);
      if (!reply.ok) {
        expect(reply.error.code).toBe('invalid_field');
        expect(reply.error.message.startsWith(`${field}: `), reply.error.message).toBe(true);
      }
    }
    const missing = await app.api.handle({
      method: 'postmortems.edit',
      params: { postmortemId: 'p', field: 'summary', text: 'x' },
    });
    expect(missing).toMatchObject({
      ok: false,
      error: { code: 'not_found', message: 'postmortemId: no postmortem p' },
    });
    expect(app.cache.outbox()).toHaveLength(0);
  });
});
