import { describe, expect, it } from 'vitest';
import type { AppServices } from '../../electron/main/services/index.js';
import { toIso } from '../../shared/clock.js';
import { IncidentList } from '../../shared/protocol/incident.js';
import { RotationView, type RotationOverride } from '../../shared/protocol/rotation.js';
import { ServerFrame, type ResultFrame } from '../../shared/protocol/stream.js';
import { whoIsOnCall } from '../../shared/rotation/rotation.js';
import { FAST_ERROR_RATE_RULES, type CollectorHandle } from '../fixtures/collector.js';
import { desktopsAgainstCollector } from '../fixtures/desktops.js';
import { fireErrorRatePage } from '../fixtures/error-rate-page.js';
import { streamPeer } from '../fixtures/stream-peer.js';
import { authHeaders, until, untilAsync } from './sync-helpers.js';

/**
 * The rotation reaches the desktop cache (GET /v1/rotation), stays readable offline, and an
 * override made offline goes through the outbox, is applied once on reconnect, and changes who
 * the collector pages.
 */
const ROSTER = ['alice', 'bob', 'carol'];
// One small POST fires an error-rate page.
const CONFIG = `
grouping: { wait: 0s }
rotation:
  timeZone: Europe/Berlin
  handoff: { day: monday, time: "09:00" }
  start: "2025-01-06"
  roster: [${ROSTER.join(', ')}]
${FAST_ERROR_RATE_RULES}`;

const { desktops, start, tmp } = desktopsAgainstCollector();

async function getRotation(c: CollectorHandle, query = ''): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${c.url}/v1/rotation${query}`, { headers: authHeaders(c) });
  return { status: res.status, body: await res.json() };
}

async function override(
  app: AppServices,
  params: unknown,
): Promise<{ ok: boolean; code?: string; commandId?: string }> {
  const reply = await app.api.handle({ method: 'rotation.override', params });
  return reply.ok
    ? { ok: true, commandId: (reply.result as { commandId: string }).commandId }
    : { ok: false, code: reply.error.code };
}

function resultFor(frames: ServerFrame[], id: string): ResultFrame | undefined {
  return frames.find((f): f is ResultFrame => f.type === 'result' && f.id === id);
}

describe('rotation in the desktop cache', () => {
  it('serves the rotation, caches it, and applies an override made offline exactly once', async () => {
    const collectorDir = tmp('vigil-rotation-c-');
    const c = await start({ dataDir: collectorDir, configYaml: CONFIG });

    // The collector's answer: the configured rotation and the next weeks of shifts.
    const first = await getRotation(c, '?weeks=4');
    expect(first.status).toBe(200);
    const view = RotationView.parse(first.body);
    expect(view.rotation?.roster).toEqual(ROSTER);
    expect(view.overrides).toEqual([]);
    expect(view.shifts.length).toBe(4);
    const now = Date.now();
    const current = view.shifts[0];
    if (!current || !view.rotation) throw new Error('no current shift');
    expect(Date.parse(current.start)).toBeLessThanOrEqual(now);
    expect(Date.parse(current.end)).toBeGreaterThan(now);
    expect(current.primary).toBe(whoIsOnCall(view.rotation, now).primary);
    for (let i = 1; i < view.shifts.length; i++) expect(view.shifts[i]?.start).toBe(view.shifts[i - 1]?.end);

    // The desktop caches it on connect; the Api answers from the cache.
    const deskDir = tmp('vigil-rotation-d-');
    const pushes: string[] = [];
    let dana = desktops.open(c, 'dana', { dataDir: deskDir });
    dana.api.onPush((p) => pushes.push(p.type));
    const cached = await untilAsync(async () => dana.api.call('rotation.get', {}), 10_000, 'the rotation in the cache');
    expect(cached.view.shifts).toHaveLength(8); // DEFAULT_ROTATION_WEEKS
    expect(cached.view.shifts.slice(0, 4)).toEqual(view.shifts);
    await until(() => pushes.includes('rotation-changed'), 5000, 'a rotation-changed push');

    // Offline: the calendar still reads, and an override is queued, not lost.
    await c.kill('SIGKILL');
    await until(() => dana.sync.status().state !== 'connected', 5000, 'offline');
    expect((await dana.api.call('rotation.get', {}))?.view.rotation?.roster).toEqual(ROSTER);
    const covering = ROSTER.find((u) => u !== current.primary) ?? 'bob';
    const cover: RotationOverride = {
      role: 'primary',
      user: covering,
      from: toIso(now - 60_000),
      to: toIso(now + 3_600_000),
    };
    const made = await override(dana, cover);
    expect(made.ok).toBe(true);
    expect(dana.cache.outbox().find((i) => i.id === made.commandId)).toMatchObject({
      kind: 'override',
      state: 'queued',
    });

    // The desktop restarts while offline: the override is still in its outbox.
    desktops.disposeAll();
    dana = desktops.open(c, 'dana', { dataDir: deskDir });
    expect(dana.cache.unanswered().map((u) => u.override)).toEqual([cover]);

    // Reconnect: applied once; the cached rotation and the collector's both show it.
    await c.restart();
    await until(
      () => dana.cache.outbox().find((i) => i.id === made.commandId)?.state === 'applied',
      10_000,
      'the override applied',
    );
    const after = RotationView.parse((await getRotation(c)).body);
    expect(after.overrides).toHaveLength(1);
    expect(after.overrides[0]).toMatchObject({
      commandId: made.commandId,
      user: covering,
      by: 'dana',
      role: 'primary',
    });
    const at = (v: RotationView, t: number) => v.shifts.find((s) => Date.parse(s.start) <= t && t < Date.parse(s.end));
    // The override is a segment of its own inside the current week.
    expect(at(after, now + 1_800_000)).toMatchObject({ primary: covering, start: cover.from, end: cover.to });
    await until(
      () => dana.rotationCache.get()?.view.overrides.length === 1,
      5000,
      'the cache to refetch after the override',
    );
    const cachedAfter = dana.rotationCache.get()?.view;
    expect(cachedAfter && at(cachedAfter, now + 1_800_000)?.primary).toBe(covering);

    // The same command id again (a resend after a lost result): ok, still stored once.
    const peer = await streamPeer(c, 'dana');
    peer.ws.send(
      JSON.stringify({
        type: 'command',
        id: made.commandId,
        kind: 'override',
        override: cover,
      }),
    );
    const again = await until(() => resultFor(peer.frames, made.commandId ?? ''), 5000, 'the repeated result');
    expect(again.ok).toBe(true);
    expect(RotationView.parse((await getRotation(c)).body).overrides).toHaveLength(1);

    // The collector pages the person covering: a page fired now targets them.
    const page = await fireErrorRatePage(c, 'rot', 5000);
    // Protocol 5: the page's incident holds the escalation.
    const incident = await untilAsync(
      async () => {
        const res = await fetch(`${c.url}/v1/incidents`, { headers: authHeaders(c) });
        const { incidents } = IncidentList.parse(await res.json());
        return incidents.find((i) => i.id === page.incidentId && i.escalation !== undefined);
      },
      5000,
      'the page incident',
    );
    expect(incident.escalation?.target).toBe(covering);
    peer.ws.terminate();
  });

  it('rejects bad overrides and bad queries with a reason, at every boundary', async () => {
    const c = await start({ configYaml: CONFIG });
    // HTTP: weeks out of range or not a number names the field; no token is 401.
    for (const q of ['?weeks=0', '?weeks=53', '?weeks=abc', '?weeks=1.5']) {
      const r = await getRotation(c, q);
      expect(r.status, q).toBe(400);
      expect(r.body).toMatchObject({ error: { code: 'invalid_field', field: 'weeks' } });
    }
    expect((await fetch(`${c.url}/v1/rotation`)).status).toBe(401);

    // Api: a range that ends before it starts, an unknown role, a missing user.
    const app = desktops.open(c, 'erin');
    await until(() => app.sync.isReady(), 10_000, 'connected');
    const from = toIso(Date.now());
    const to = toIso(Date.now() + 3_600_000);
    expect(await override(app, { role: 'primary', user: 'bob', from: to, to: from })).toMatchObject({
      ok: false,
      code: 'invalid_field',
    });
    expect(await override(app, { role: 'tertiary', user: 'bob', from, to })).toMatchObject({
      ok: false,
      code: 'invalid_field',
    });
    expect(await override(app, { role: 'primary', from, to })).toMatchObject({ ok: false, code: 'invalid_field' });
    const viaAlerts = await app.api.handle({
      method: 'alerts.command',
      params: { kind: 'override' },
    });
    expect(viaAlerts.ok).toBe(false);
    expect(app.cache.outbox()).toEqual([]);

    // Stream: an override without its body, aimed at an alert or malformed is an error frame
    // naming the field; the connection survives all of them.
    const peer = await streamPeer(c, 'erin');
    peer.ws.send(JSON.stringify({ type: 'command', id: 'o-1', kind: 'override' }));
    peer.ws.send(
      JSON.stringify({
        type: 'command',
        id: 'o-2',
        kind: 'override',
        alertId: 'some-alert',
        override: { role: 'primary', user: 'bob', from, to },
      }),
    );
    peer.ws.send(
      JSON.stringify({
        type: 'command',
        id: 'o-3',
        kind: 'override',
        override: { role: 'primary', user: 'bob', from: to, to: from },
      }),
    );
    peer.ws.send(
      JSON.stringify({
        type: 'command',
        id: 'o-4',
        kind: 'override',
        override: { role: 'primary', user: 'bob', from, to },
      }),
    );
    await until(() => resultFor(peer.frames, 'o-4'), 5000, 'the valid override answered');
    // Protocol 5: the frame schema refuses an override without its body or aimed at an alert.
    expect(resultFor(peer.frames, 'o-1')).toBeUndefined();
    expect(resultFor(peer.frames, 'o-2')).toBeUndefined();
    expect(peer.frames.filter((f) => f.type === 'error')).toEqual([
      expect.objectContaining({ code: 'invalid_field', message: 'override: override needs override' }),
      expect.objectContaining({ code: 'invalid_field', message: expect.stringContaining('takes no alertId') }),
      expect.objectContaining({ code: 'invalid_field', message: expect.stringContaining('override.to') }),
    ]);
    expect(resultFor(peer.frames, 'o-4')).toMatchObject({ ok: true });
    expect(RotationView.parse((await getRotation(c)).body).overrides.map((o) => o.commandId)).toEqual(['o-4']);
    peer.ws.terminate();
  });

  it('a collector without a rotation answers null and refuses overrides as failed commands', async () => {
    const c = await start();
    const r = await getRotation(c);
    expect(r.status).toBe(200);
    expect(RotationView.parse(r.body)).toMatchObject({ rotation: null, shifts: [], overrides: [] });
    const app = desktops.open(c, 'finn');
    await until(() => app.rotationCache.get() !== null, 10_000, 'the rotation fetched');
    expect((await app.api.call('rotation.get', {}))?.view.rotation).toBeNull();
    const made = await override(app, {
      role: 'secondary',
      user: 'finn',
      from: toIso(Date.now()),
      to: toIso(Date.now() + 60_000),
    });
    await until(() => app.cache.outbox()[0]?.state === 'failed', 5000, 'the override refused');
    expect(app.cache.outbox()[0]).toMatchObject({ id: made.commandId, detail: expect.stringContaining('no rotation') });
  });

  it('an override made on one desktop reaches the other desktop within 1 s: pushed, not polled (60 s)', async () => {
    const c = await start({ configYaml: CONFIG });
    const erin = desktops.open(c, 'erin');
    const finn = desktops.open(c, 'finn');
    await until(() => erin.rotationCache.get() !== null && finn.rotationCache.get() !== null, 10_000, 'both cached');
    // Both have done their first fetch: the next poll is a minute away.
    await Promise.all([erin.rotationSync.idle(), finn.rotationSync.idle()]);
    const now = Date.now();
    const made = await override(erin, {
      role: 'secondary',
      user: 'carol',
      from: toIso(now),
      to: toIso(now + 3_600_000),
    });
    expect(made.ok).toBe(true);
    const t0 = performance.now();
    await until(
      () => finn.rotationCache.get()?.view.overrides.some((o) => o.commandId === made.commandId) === true,
      1_000,
      "the override in the other desktop's cache",
    );
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(finn.rotationCache.get()?.view.overrides[0]).toMatchObject({ user: 'carol', by: 'erin' });
  });

  it('ended overrides outlive the alert log retention (health needs them) and go past maxEnded; current ones stay', async () => {
    const dataDir = tmp('vigil-rotation-prune-');
    const c = await start({ dataDir, configYaml: CONFIG });
    const peer = await streamPeer(c, 'gus');
    const now = Date.now();
    const send = (id: string, from: number, to: number) =>
      peer.ws.send(
        JSON.stringify({
          type: 'command',
          id,
          kind: 'override',
          override: { role: 'primary', user: 'bob', from: toIso(from), to: toIso(to) },
        }),
      );
    send('ended-30m-ago', now - 90 * 60_000, now - 30 * 60_000);
    send('current', now - 60_000, now + 3_600_000);
    await until(() => resultFor(peer.frames, 'current') !== undefined, 5000, 'both applied');
    const ids = async (h: CollectorHandle) =>
      RotationView.parse((await getRotation(h)).body).overrides.map((o) => o.commandId);
    expect(await ids(c)).toEqual(['ended-30m-ago', 'current']);
    peer.ws.terminate();
    // A 10-minute alert log retention alone keeps it: on-call hours of its week (health.keep) need it.
    await c.stop();
    const c2 = await start({ dataDir, configYaml: `${CONFIG}retention:\n  eventLog: 10m\n` });
    expect(await ids(c2)).toEqual(['ended-30m-ago', 'current']);
    // Past `maxEnded` the ended one goes at start.
    await c2.stop();
    const c3 = await start({
      dataDir,
      configYaml: `${CONFIG}retention:\n  eventLog: 10m\nrotationOverrides:\n  maxEnded: 0\n`,
    });
    expect(await ids(c3)).toEqual(['current']);
  });
});
