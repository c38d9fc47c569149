import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import type { ResultFrame } from '../../shared/protocol/stream.js';
import { RotationView } from '../../shared/protocol/rotation.js';
import type { AppServices } from '../../electron/main/services/index.js';
import type { CollectorHandle } from '../fixtures/collector.js';
import { desktopsAgainstCollector } from '../fixtures/desktops.js';
import { streamPeer } from '../fixtures/stream-peer.js';
import { authHeaders, until, untilAsync } from './sync-helpers.js';

/**
 * `GET /v1/rotation.ics` against a real collector: RFC 5545 that an independent parser (ical.js)
 * reads back into the same shifts as `GET /v1/rotation`, stable UIDs, `?user=`, bad values;
 * and overrides withdrawn from a desktop (`remove-override` through the outbox).
 */
const ROSTER = ['alice', 'bob', 'carol'];
const CONFIG = `
rotation:
  timeZone: Europe/Berlin
  handoff: { day: monday, time: "10:00" }
  start: "2025-01-06"
  roster: [${ROSTER.join(', ')}]
`;

const { desktops, start } = desktopsAgainstCollector();

async function get(c: CollectorHandle, path: string): Promise<Response> {
  return fetch(`${c.url}${path}`, { headers: authHeaders(c) });
}

interface Ev {
  uid: string;
  user: string;
  role: string;
  start: number;
  end: number;
}

function parse(text: string): { version: unknown; prodid: unknown; events: Ev[] } {
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    const [user = '', role = ''] = /^(.*) \((primary|secondary)\)$/.exec(e.summary)?.slice(1) ?? [];
    return { uid: e.uid, user, role, start: e.startDate.toJSDate().getTime(), end: e.endDate.toJSDate().getTime() };
  });
  return { version: cal.getFirstPropertyValue('version'), prodid: cal.getFirstPropertyValue('prodid'), events };
}

/** Every segment of GET /v1/rotation, per role, is covered by one event naming the same person. */
function expectSameShifts(view: RotationView, events: Ev[]): void {
  for (const role of ['primary', 'secondary'] as const) {
    const mine = events.filter((e) => e.role === role).sort((a, b) => a.start - b.start);
    expect(mine[0]?.start).toBe(Date.parse(view.shifts[0]?.start ?? ''));
    expect(mine[mine.length - 1]?.end).toBe(Date.parse(view.shifts[view.shifts.length - 1]?.end ?? ''));
    for (let i = 1; i < mine.length; i++) expect(mine[i]?.start).toBe(mine[i - 1]?.end);
    for (const s of view.shifts) {
      const at = Date.parse(s.start);
      const e = mine.find((x) => x.start <= at && at < x.end);
      expect(e?.user, `${role} at ${s.start}`).toBe(s[role]);
    }
  }
}

/** Sends one command frame as `user` on a raw stream connection and returns its result. */
async function sendCommand(c: CollectorHandle, user: string, command: object): Promise<ResultFrame> {
  const { ws, frames } = await streamPeer(c, user);
  try {
    ws.send(JSON.stringify({ type: 'command', ...command }));
    return await until(() => frames.find((f): f is ResultFrame => f.type === 'result'), 5000, 'the command result');
  } finally {
    ws.close();
  }
}

async function applied(app: AppServices, id: string): Promise<void> {
  await until(() => app.cache.outbox().find((i) => i.id === id)?.state === 'applied', 10_000, `command ${id} applied`);
}

describe('GET /v1/rotation.ics', () => {
  it('parses back (ical.js) into the same shifts as GET /v1/rotation, with stable UIDs', async () => {
    const c = await start({ configYaml: CONFIG });
    const res = await get(c, '/v1/rotation.ics?weeks=26');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/calendar/);
    const text = await res.text();
    const ics = parse(text);
    expect(ics.version).toBe('2.0');
    expect(String(ics.prodid)).toBe('-//Vigil//Rotation//EN');
    expect(ics.events).toHaveLength(26 * 2);
    const view = RotationView.parse(await (await get(c, '/v1/rotation?weeks=26')).json());
    expectSameShifts(view, ics.events);
    // Every handoff is Monday 10:00 in Berlin, whatever DST does in between.
    for (const e of ics.events) {
      expect(DateTime.fromMillis(e.start, { zone: 'Europe/Berlin' }).toFormat('ccc HH:mm')).toBe('Mon 10:00');
    }
    // Default: 26 weeks; fetched again: the same UIDs.
    const again = parse(await (await get(c, '/v1/rotation.ics')).text());
    expect(again.events.map((e) => e.uid)).toEqual(ics.events.map((e) => e.uid));

    // One person's feed: exactly their events of the full feed.
    const bob = parse(await (await get(c, '/v1/rotation.ics?user=bob')).text());
    expect(bob.events.length).toBeGreaterThan(0);
    expect(bob.events).toEqual(ics.events.filter((e) => e.user === 'bob'));

    // Bad values: 400 naming the field.
    for (const [q, field] of [
      ['weeks=0', 'weeks'],
      ['weeks=abc', 'weeks'],
      ['weeks=105', 'weeks'],
      ['user=', 'user'],
      ['user=a%0Ab', 'user'],
    ] as const) {
      const bad = await get(c, `/v1/rotation.ics?${q}`);
      expect(bad.status, q).toBe(400);
      expect(((await bad.json()) as { error: { field?: string } }).error.field, q).toBe(field);
    }
  }, 30_000);

  it('an override and a swap made on a desktop show in the feed; removals go through the outbox once', async () => {
    const c = await start({ configYaml: CONFIG });
    const dana = desktops.open(c, 'dana');
    const cached = await untilAsync(async () => dana.api.call('rotation.get', {}), 10_000, 'the rotation cached');
    const now = Date.parse(cached.view.generatedAt);
    const from = new Date(now + 3_600_000).toISOString();
    const to = new Date(now + 5 * 3_600_000).toISOString();
    const { commandId } = await dana.api.call('rotation.override', { role: 'secondary', user: 'erin', from, to });
    await applied(dana, commandId);
    const viewWith = RotationView.parse(await (await get(c, '/v1/rotation?weeks=4')).json());
    expect(viewWith.overrides).toMatchObject([{ commandId, user: 'erin', by: 'dana' }]);
    const feed = await (await get(c, '/v1/rotation.ics?weeks=4')).text();
    expectSameShifts(viewWith, parse(feed).events);
    expect(feed).toContain('Override made by dana: erin covers secondary.');
    expect(parse(feed).events.filter((e) => e.user === 'erin')).toHaveLength(1);

    // The desktop's export (built from its cache, offline-capable) is the collector's feed.
    await until(() => dana.rotationCache.get()?.view.overrides.length === 1, 10_000, 'the cache refetched');
    const exported = await dana.api.call('rotation.ics', { weeks: 4 });
    expect(exported.filename).toBe('vigil-rotation.ics');
    expect(parse(exported.ics).events).toEqual(parse(feed).events);

    // Removal: queued, applied once; the override is gone from the rotation and the feed.
    const removal = await dana.api.call('rotation.removeOverride', { id: commandId });
    await applied(dana, removal.commandId);
    const viewAfter = RotationView.parse(await (await get(c, '/v1/rotation?weeks=4')).json());
    expect(viewAfter.overrides).toEqual([]);
    expect(parse(await (await get(c, '/v1/rotation.ics?weeks=4')).text()).events.some((e) => e.user === 'erin')).toBe(
      false,
    );
    await until(() => dana.rotationCache.get()?.view.overrides.length === 0, 10_000, 'the cache refetched');

    // The same removal re-sent (its result lost with a socket): answered ok, as the first time.
    const resent = await sendCommand(c, 'dana', {
      id: removal.commandId,
      kind: 'remove-override',
      overrideId: commandId,
    });
    expect(resent).toMatchObject({ ok: true });
    // A removal naming nothing known: a conflict.
    const unknown = await sendCommand(c, 'dana', { id: 'rm-x', kind: 'remove-override', overrideId: 'nope' });
    expect(unknown).toMatchObject({ ok: false, conflict: 'override nope does not exist (or ended long ago)' });

    // A second removal of the same override (another click, another desktop): a conflict naming who removed it.
    const second = await dana.api.call('rotation.removeOverride', { id: commandId }).catch((e: unknown) => e);
    expect(second).toMatchObject({ code: 'not_found' }); // refused at once: the cache no longer lists it
    const bo = desktops.open(c, 'bo');
    await untilAsync(async () => bo.api.call('rotation.get', {}), 10_000, 'bo cached');
    // Bo's cache is fresh (no override): send the removal frame through bo's outbox directly.
    const item = bo.outbox.enqueueRemoveOverride(commandId);
    await until(() => bo.cache.outbox().find((i) => i.id === item.id)?.state === 'conflict', 10_000, 'the conflict');
    expect(bo.cache.outbox().find((i) => i.id === item.id)?.detail).toBe(`override ${commandId} was removed by dana`);
    const changes = await bo.api.call('rotation.changes', {});
    expect(changes).toMatchObject([{ id: item.id, kind: 'remove-override', state: 'conflict', overrideId: commandId }]);

    // A swap from the calendar: two overrides sharing a swapId, stored with it (the view shows them as one swap).
    const week = 7 * 24 * 3_600_000;
    const [s0, s1] = viewAfter.shifts;
    if (!s0 || !s1) throw new Error('no shifts');
    const half = (user: string, start: string, end: string) =>
      dana.api.call('rotation.override', { role: 'primary', user, from: start, to: end, swapId: 'swap-1' });
    const a = await half(s1.primary, s0.start, s0.end);
    const b = await half(s0.primary, s1.start, s1.end);
    await applied(dana, b.commandId);
    const swapped = RotationView.parse(await (await get(c, '/v1/rotation?weeks=4')).json());
    expect(swapped.overrides.map((o) => [o.commandId, o.swapId])).toEqual([
      [a.commandId, 'swap-1'],
      [b.commandId, 'swap-1'],
    ]);
    const at = (t: number) => swapped.shifts.find((x) => Date.parse(x.start) <= t && t < Date.parse(x.end));
    expect(at(Date.parse(s0.start))?.primary).toBe(s1.primary);
    expect(at(Date.parse(s0.start) + week)?.primary).toBe(s0.primary);
  }, 40_000);
});
