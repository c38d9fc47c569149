import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertList, EventFrame, ServerFrame, type Alert } from '../../shared/protocol/index.js';
import {
  connectStream,
  errorBurst,
  postEvents,
  startCollector,
  type CollectorHandle,
  type StreamClient,
} from '../fixtures/collector.js';

const START = Date.UTC(2026, 10, 1, 9, 0);
const key = { service: 'checkout', provider: 'openai', model: 'gpt-4o' };

describe('error-rate burst → alert → stream commands', () => {
  let c: CollectorHandle;
  const clients: StreamClient[] = [];
  const open = async (user: string, lastSeq = 0): Promise<StreamClient> => {
    const s = await connectStream(c.url, c.token, { user, lastSeq });
    clients.push(s);
    return s;
  };
  const alerts = async (query = ''): Promise<Alert[]> => {
    const res = await fetch(`${c.url}/v1/alerts${query}`, { headers: { authorization: `Bearer ${c.token}` } });
    return AlertList.parse(await res.json()).alerts;
  };

  beforeAll(async () => {
    c = await startCollector();
  });
  afterAll(async () => {
    await Promise.all(clients.map((s) => s.close()));
    await c.stop();
  });

  it('15 backfilled minutes at 30% errors fire at once on ingest; visible over HTTP and ws', async () => {
    const watcher = await open('watcher');
    // Healthy traffic on another model must not fire.
    const healthy = errorBurst({
      ...key,
      model: 'gpt-4o-mini',
      startMs: START,
      minutes: 15,
      perMinute: 100,
      errorRate: 0.01,
    });
    const burst = errorBurst({ ...key, startMs: START, minutes: 15, perMinute: 100, errorRate: 0.3 });
    const r = await postEvents(c.url, c.token, [...burst, ...healthy]);
    expect(r).toEqual({ status: 200, body: { accepted: 3000 } });

    const list = await alerts();
    expect(list).toHaveLength(1);
    const a = list[0] as Alert;
    expect(a).toMatchObject({
      ruleId: 'error-rate',
      tier: 'page',
      source: 'rules',
      status: 'firing',
      runbookId: 'error-rate',
      labels: key,
    });
    expect(a.summary).toBe(
      'error rate 30.0% (300/1000) over 10 min, above 5% at 97.5% confidence, on checkout · openai/gpt-4o',
    );
    // Fired in event time: the end of the 10th consecutive bad minute.
    expect(a.firedAt).toBe(new Date(START + 10 * 60_000).toISOString());

    const ev = await watcher.waitFor((f) => f.type === 'event' && f.kind === 'fired');
    expect(EventFrame.parse(ev).alert.id).toBe(a.id);
    // Protocol 5: the alert arrives already placed in its incident, which opens with it.
    expect(a.incidentId).toMatch(/^inc-/);
    expect(EventFrame.parse(ev).alert.incidentId).toBe(a.incidentId);
    expect(await watcher.waitFor((f) => f.type === 'incident' && f.kind === 'fired')).toMatchObject({
      incidentId: a.incidentId,
      incident: { alertIds: [a.id], tier: 'page', status: 'firing' },
    });
    expect((await alerts('?status=firing')).map((x) => x.id)).toEqual([a.id]);
    expect(await alerts('?status=resolved')).toEqual([]);
  });

  it('ack by the hello user reaches a second client within 1 s; a repeated command id applies once', async () => {
    const [a] = await alerts();
    const alice = await open('alice');
    const bob = await open('bob');
    const seqBefore = (bob.frames.find((f) => f.type === 'welcome')?.lastSeq as number) ?? 0;

    const t0 = performance.now();
    alice.send({ type: 'command', id: 'cmd-ack-1', kind: 'ack', alertId: a?.id });
    const res = await alice.waitFor((f) => f.type === 'result' && f.id === 'cmd-ack-1');
    expect(res).toMatchObject({ ok: true });
    const seen = EventFrame.parse(await bob.waitFor((f) => f.type === 'event' && f.kind === 'acknowledged', 1_000));
    expect(performance.now() - t0).toBeLessThan(1_000);
    expect(seen.actor).toBe('alice');
    expect(seen.alert).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'alice' });
    expect(seen.alert.acknowledgedAt).toBeDefined();

    // Same id again: same answer, no second log event.
    alice.send({ type: 'command', id: 'cmd-ack-1', kind: 'ack', alertId: a?.id });
    await alice.waitFor(
      (f) =>
        f.type === 'result' && f.id === 'cmd-ack-1' && alice.frames.filter((x) => x.id === 'cmd-ack-1').length === 2,
    );
    expect(alice.frames.filter((x) => x.id === 'cmd-ack-1').map((x) => x.ok)).toEqual([true, true]);
    // A comment as a barrier: once bob sees it, any duplicate ack event would already have arrived.
    alice.send({ type: 'command', id: 'cmd-comment-1', kind: 'comment', alertId: a?.id, note: 'looking' });
    await bob.waitFor((f) => f.type === 'event' && f.kind === 'commented');
    const bobEvents = bob.frames.filter((f) => f.type === 'event' && (f.seq as number) > seqBefore);
    expect(bobEvents.map((f) => f.kind)).toEqual(['acknowledged', 'commented']);
  });

  it('a command that no longer applies answers a conflict', async () => {
    const [a] = await alerts();
    const s = await open('carol');
    s.send({ type: 'command', id: 'cmd-resolve-1', kind: 'resolve', alertId: a?.id });
    expect(await s.waitFor((f) => f.id === 'cmd-resolve-1')).toMatchObject({ ok: true });
    s.send({ type: 'command', id: 'cmd-ack-late', kind: 'ack', alertId: a?.id });
    expect(await s.waitFor((f) => f.id === 'cmd-ack-late')).toMatchObject({ ok: false, conflict: 'alert is resolved' });
    s.send({ type: 'command', id: 'cmd-missing', kind: 'ack', alertId: 'no-such-alert' });
    expect(await s.waitFor((f) => f.id === 'cmd-missing')).toMatchObject({ ok: false });
  });

  it('resume with lastSeq replays only later events, in order', async () => {
    const all = await open('replayer', 0);
    await all.waitFor((f) => f.type === 'incident' && f.kind === 'resolved');
    // Alert and incident entries share the log's seq (protocol 5): replay brings both, in order.
    const logged = (f: Record<string, unknown>): boolean => f.type === 'event' || f.type === 'incident';
    const seqs = all.frames.filter(logged).map((f) => f.seq as number);
    expect(all.frames.some((f) => f.type === 'incident')).toBe(true);
    expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    const welcome = all.frames.find((f) => f.type === 'welcome');
    expect(welcome?.lastSeq).toBe(seqs[seqs.length - 1]);
    const mid = seqs[1] as number;
    const later = await open('replayer', mid);
    await later.waitFor((f) => logged(f) && f.seq === seqs[seqs.length - 1]);
    expect(later.frames.filter(logged).map((f) => f.seq)).toEqual(seqs.filter((s) => s > mid));
    // A cursor from the future (another collector's data) gets a snapshot instead.
    const ahead = await open('replayer', 10_000);
    const snap = await ahead.waitFor((f) => f.type === 'snapshot');
    expect((snap.alerts as unknown[]).length).toBe(1);
  });

  it('invalid frames get error frames; the connection and the collector survive', async () => {
    const s = await open('fuzzer');
    for (const raw of ['not json', '{"type":"command","id":"x"}', '{"type":"teleport"}', '[1,2]']) {
      const n = s.frames.filter((f) => f.type === 'error').length;
      s.sendRaw(raw);
      await s.waitFor(() => s.frames.filter((f) => f.type === 'error').length > n);
    }
    for (const f of s.frames) ServerFrame.parse(f);
    // Still alive: a valid command gets its result.
    s.send({ type: 'command', id: 'cmd-after-garbage', kind: 'comment', alertId: (await alerts())[0]?.id, note: 'ok' });
    expect(await s.waitFor((f) => f.id === 'cmd-after-garbage')).toMatchObject({ ok: true });
    // Persistent garbage gets the connection closed with 1008.
    for (let i = 0; i < 5; i++) s.sendRaw('garbage');
    expect((await s.closed()).code).toBe(1008);
    // Before hello: anything else is refused with 1008.
    const early = await connectStream(c.url, c.token, { hello: false });
    early.send({ type: 'command', id: 'x', kind: 'ack', alertId: 'y' });
    expect((await early.closed()).code).toBe(1008);
    expect((await fetch(`${c.url}/healthz`)).status).toBe(200);
  });

  it('rejects a stream without the token, and accepts ?token=', async () => {
    const { WebSocket } = await import('ws');
    const wsUrl = `${c.url.replace(/^http/, 'ws')}/v1/stream`;
    const status = await new Promise<number | undefined>((resolve) => {
      const ws = new WebSocket(wsUrl);
      ws.on('unexpected-response', (_req, res) => {
        resolve(res.statusCode);
        ws.terminate();
      });
      ws.on('open', () => resolve(101));
      ws.on('error', () => undefined);
    });
    expect(status).toBe(401);
    const ws = new WebSocket(`${wsUrl}?token=${encodeURIComponent(c.token)}`);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.close();
  });
});

describe('rule resolution', () => {
  it('resolves the alert once healthy minutes outlast the window and keep_firing_for', async () => {
    const c = await startCollector();
    try {
      const k = { ...key, service: 'search' };
      await postEvents(
        c.url,
        c.token,
        errorBurst({ ...k, startMs: START, minutes: 12, perMinute: 60, errorRate: 0.4 }),
      );
      await postEvents(
        c.url,
        c.token,
        errorBurst({ ...k, startMs: START + 12 * 60_000, minutes: 15, perMinute: 60, errorRate: 0 }),
      );
      const res = await fetch(`${c.url}/v1/alerts`, { headers: { authorization: `Bearer ${c.token}` } });
      const [a] = AlertList.parse(await res.json()).alerts;
      expect(a?.status).toBe('resolved');
      expect(Date.parse(a?.resolvedAt ?? '')).toBeGreaterThan(Date.parse(a?.firedAt ?? ''));
      const s = await connectStream(c.url, c.token, { user: 'u' });
      await s.waitFor((f) => f.type === 'event' && f.kind === 'resolved');
      expect(s.frames.filter((f) => f.type === 'event').map((f) => [f.kind, f.actor])).toEqual([
        ['fired', 'collector'],
        ['resolved', 'collector'],
      ]);
      // Protocol 5: paging is the incident's. It resolved with its last member before its group
      // wait (30 s of wall time by default) ran out, so it never rang.
      await s.waitFor((f) => f.type === 'incident' && f.kind === 'resolved');
      expect(s.frames.filter((f) => f.type === 'incident').map((f) => f.kind)).toEqual(['fired', 'resolved']);
      await s.close();
    } finally {
      await c.stop();
    }
  });
});

describe('restart', () => {
  it('stats, alerts and the log survive a restart (and a SIGKILL)', async () => {
    const c = await startCollector();
    try {
      await postEvents(
        c.url,
        c.token,
        errorBurst({ ...key, startMs: START, minutes: 15, perMinute: 60, errorRate: 0.5 }),
      );
      const stats = async () =>
        (await (
          await fetch(`${c.url}/v1/stats`, { headers: { authorization: `Bearer ${c.token}` } })
        ).json()) as Record<string, number>;
      const before = await stats();
      // fired + notified (the escalation policy pages the primary at once).
      expect(before).toEqual({ events: 900, alerts: 1, lastSeq: 2, lastEventTs: START + 15 * 60_000 - 1_000 });
      await c.restart();
      expect(await stats()).toEqual(before);
      await c.kill('SIGKILL');
      await c.restart();
      expect(await stats()).toEqual(before);
      // Rule state survived too: more bad minutes do not fire a second alert.
      await postEvents(
        c.url,
        c.token,
        errorBurst({ ...key, startMs: START + 15 * 60_000, minutes: 5, perMinute: 60, errorRate: 0.5 }),
      );
      expect((await stats()).alerts).toBe(1);
    } finally {
      await c.stop();
    }
  });
});
