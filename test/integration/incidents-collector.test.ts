import { afterEach, describe, expect, it } from 'vitest';
import { IncidentList, SilenceList, type Alert, type Incident } from '../../shared/protocol/index.js';
import {
  connectStream,
  errorBurst,
  postEvents,
  startCollector,
  type CollectorHandle,
  type StreamClient,
} from '../fixtures/collector.js';

/**
 * Issue 12 against a real collector process: incidents, grouping, inhibition, silences, and
 * commands on incidents, seen over HTTP and on real ws clients. A short group wait (wall time)
 * keeps the tests quick; the rules run on backfilled event time.
 */
const WAIT_MS = 1_500;
const CONFIG = `grouping: { wait: ${WAIT_MS}ms }\n`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let collector: CollectorHandle | undefined;
const clients: StreamClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((s) => s.close()));
  await collector?.stop();
  collector = undefined;
});

async function start(configYaml = CONFIG): Promise<CollectorHandle> {
  collector = await startCollector({ configYaml });
  return collector;
}

async function open(c: CollectorHandle, user: string): Promise<StreamClient> {
  const s = await connectStream(c.url, c.token, { user });
  clients.push(s);
  return s;
}

async function get(c: CollectorHandle, path: string): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${c.url}${path}`, { headers: { authorization: `Bearer ${c.token}` } });
  return { status: res.status, body: await res.json() };
}

async function incidents(c: CollectorHandle, query = ''): Promise<Incident[]> {
  const r = await get(c, `/v1/incidents${query}`);
  expect(r.status).toBe(200);
  return IncidentList.parse(r.body).incidents;
}

async function alerts(c: CollectorHandle): Promise<Alert[]> {
  const r = await get(c, '/v1/alerts');
  return (r.body as { alerts: Alert[] }).alerts;
}

const isIncident = (f: Record<string, unknown>, kind?: string): boolean =>
  f.type === 'incident' && (kind === undefined || f.kind === kind);

/** One provider fails completely for three services; another provider has an unrelated error spike. */
async function outage(c: CollectorHandle): Promise<void> {
  const startMs = Date.now() - 40 * 60_000;
  const burst = (service: string, provider: string, model: string, errorRate: number) =>
    errorBurst({ service, provider, model, startMs, minutes: 16, perMinute: 60, errorRate });
  const events = [
    ...burst('chat', 'openai', 'gpt-4o', 1),
    ...burst('search', 'openai', 'gpt-4o', 1),
    ...burst('support', 'openai', 'gpt-4o-mini', 1),
    ...burst('billing', 'anthropic', 'claude-sonnet-4', 0.3),
  ];
  // Later traffic moves the event-time watermark past the burst so its minutes are evaluated.
  events.push(
    ...errorBurst({
      service: 'billing',
      provider: 'anthropic',
      model: 'claude-sonnet-4',
      startMs: startMs + 20 * 60_000,
      minutes: 1,
      perMinute: 1,
      errorRate: 0,
    }),
  );
  const r = await postEvents(c.url, c.token, events);
  expect(r.status).toBe(200);
  // The rules evaluate the backfill as the watermark moves: wait for the whole outage (generous:
  // on a loaded machine the evaluation of 40 minutes of backfill takes a while).
  const deadline = Date.now() + 30_000;
  for (;;) {
    const all = await alerts(c);
    const services = new Set(
      all.filter((a) => a.ruleId === 'error-rate' && a.labels.provider === 'openai').map((a) => a.labels.service),
    );
    const down = all.some((a) => a.ruleId === 'provider-down' && a.labels.provider === 'openai');
    if (down && services.size === 3 && all.some((a) => a.labels.provider === 'anthropic')) return;
    if (Date.now() > deadline) {
      throw new Error(`the outage did not raise all its alerts in 30 s: ${all.map((a) => a.ruleId).join(', ')}`);
    }
    await sleep(100);
  }
}

describe('one outage, one page', () => {
  it('a provider outage across three services is ONE page incident; an unrelated spike elsewhere is a second', async () => {
    const c = await start();
    const watcher = await open(c, 'watcher');
    await outage(c);
    const all = await alerts(c);
    const openai = all.filter((a) => a.labels.provider === 'openai');
    const anthropic = all.filter((a) => a.labels.provider === 'anthropic');
    const down = openai.find((a) => a.ruleId === 'provider-down');
    expect(down, JSON.stringify(all.map((a) => [a.ruleId, a.labels]))).toBeDefined();
    expect(new Set(openai.filter((a) => a.ruleId === 'error-rate').map((a) => a.labels.service))).toEqual(
      new Set(['chat', 'search', 'support']),
    );
    expect(anthropic.length).toBeGreaterThan(0);
    // Every alert is in an incident; the openai ones all in provider-down's, inhibited by it.
    for (const a of all) expect(a.incidentId).toMatch(/^inc-/);
    expect(new Set(openai.map((a) => a.incidentId))).toEqual(new Set([down?.incidentId]));
    for (const a of openai.filter((x) => x.id !== down?.id)) expect(a.inhibitedBy).toBe(down?.id);
    expect(new Set(anthropic.map((a) => a.incidentId)).size).toBe(1);
    expect(anthropic[0]?.incidentId).not.toBe(down?.incidentId);

    const firing = await incidents(c, '?status=firing');
    expect(firing).toHaveLength(2);
    const outageIncident = firing.find((i) => i.id === down?.incidentId);
    expect(outageIncident).toMatchObject({ tier: 'page', status: 'firing' });
    expect(new Set(outageIncident?.alertIds)).toEqual(new Set(openai.map((a) => a.id)));
    expect(new Set(outageIncident?.inhibitedAlertIds)).toEqual(
      new Set(openai.filter((a) => a.id !== down?.id).map((a) => a.id)),
    );

    // After the group wait each incident rings exactly once (not once per alert).
    await watcher.waitFor((f) => isIncident(f, 'notified') && f.incidentId === down?.incidentId, 10_000);
    await watcher.waitFor((f) => isIncident(f, 'notified') && f.incidentId === anthropic[0]?.incidentId, 10_000);
    await sleep(1_000);
    const rings = watcher.frames.filter((f) => isIncident(f, 'notified'));
    expect(rings.map((f) => f.incidentId).sort()).toEqual([down?.incidentId, anthropic[0]?.incidentId].sort());
    const [rung] = await incidents(c, '?limit=1');
    expect(rung?.escalation).toMatchObject({ level: 1, target: 'primary' });

    const m = await fetch(`${c.url}/metrics`, { headers: { authorization: `Bearer ${c.token}` } });
    const text = await m.text();
    expect(text).toMatch(/^vigil_incidents_open 2$/m);
    expect(text).toMatch(/^vigil_incident_notifications_total\{kind="opened"\} 2$/m);
  });

  it('acknowledging the incident acknowledges every member, seen on two connected clients', async () => {
    const c = await start();
    await outage(c);
    const down = (await alerts(c)).find((a) => a.ruleId === 'provider-down' && a.labels.provider === 'openai');
    const incidentId = String(down?.incidentId);
    // The members are those the incident holds once the whole outage has been evaluated.
    let held = await incidents(c);
    for (let t = Date.now(); (held.find((i) => i.id === incidentId)?.alertIds.length ?? 0) < 4;) {
      if (Date.now() - t > 15_000) break;
      await sleep(200);
      held = await incidents(c);
    }
    const members = held.find((i) => i.id === incidentId)?.alertIds ?? [];
    const seen = (await alerts(c)).map((a) => [a.ruleId, a.labels.service, a.status, a.incidentId, a.inhibitedBy]);
    expect(members.length, JSON.stringify({ seen, held })).toBeGreaterThanOrEqual(4);
    const alice = await open(c, 'alice');
    const bob = await open(c, 'bob');
    await alice.waitFor((f) => f.type === 'silences');
    await bob.waitFor((f) => f.type === 'silences');
    alice.send({ type: 'command', id: 'ack-inc', kind: 'ack', incidentId, note: 'on it' });
    expect(await alice.waitFor((f) => f.type === 'result' && f.id === 'ack-inc')).toMatchObject({ ok: true });
    for (const s of [alice, bob]) {
      expect(await s.waitFor((f) => isIncident(f, 'acknowledged') && f.incidentId === incidentId)).toMatchObject({
        actor: 'alice',
        note: 'on it',
        incident: { status: 'acknowledged', acknowledgedBy: 'alice' },
      });
      await s.waitFor(
        () =>
          members.every((id) =>
            s.frames.some((f) => f.type === 'event' && f.kind === 'acknowledged' && f.alertId === id),
          ),
        3_000,
      );
    }
    expect((await incidents(c, '?status=acknowledged')).map((i) => i.id)).toEqual([incidentId]);
    expect((await incidents(c, '?status=firing')).map((i) => i.id)).not.toContain(incidentId);
    const stored = (await alerts(c)).filter((a) => members.includes(a.id));
    expect(stored.map((a) => a.status)).toEqual(members.map(() => 'acknowledged'));
    // Acknowledged: whether or not it had rung yet, it rings no more.
    const rings = (): number =>
      bob.frames.filter((f) => (isIncident(f, 'notified') || isIncident(f, 'escalated')) && f.incidentId === incidentId)
        .length;
    const ringsAtAck = rings();
    expect(ringsAtAck).toBeLessThanOrEqual(1);
    await sleep(WAIT_MS + 1_000);
    expect(rings()).toBe(ringsAtAck);
    // Again: a conflict, not a second acknowledgement.
    bob.send({ type: 'command', id: 'ack-inc-2', kind: 'ack', incidentId });
    expect(await bob.waitFor((f) => f.type === 'result' && f.id === 'ack-inc-2')).toMatchObject({
      ok: false,
      conflict: expect.stringMatching(/already acknowledged by alice/),
    });
  });
});

function amGroup(groupKey: string, alerts: { fingerprint: string; name: string }[]): unknown {
  return {
    receiver: 'vigil',
    status: 'firing',
    alerts: alerts.map((a) => ({
      status: 'firing',
      labels: { alertname: a.name, severity: 'critical', cluster: 'eu-1' },
      annotations: { summary: `${a.name} on eu-1` },
      startsAt: new Date(Date.now() - 60_000).toISOString(),
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: a.fingerprint,
    })),
    groupLabels: { cluster: 'eu-1' },
    commonLabels: { cluster: 'eu-1' },
    commonAnnotations: {},
    externalURL: 'http://am.example.org',
    version: '4',
    groupKey,
    truncatedAlerts: 0,
  };
}

async function postAm(c: CollectorHandle, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${c.url}/v1/integrations/alertmanager`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

describe('Alertmanager groups', () => {
  it('one Alertmanager group arrives as one incident; a second group is a second incident', async () => {
    const c = await start();
    const s = await open(c, 'watcher');
    const g1 = amGroup('{}:{cluster="eu-1"}', [
      { fingerprint: 'f1', name: 'DiskFull' },
      { fingerprint: 'f2', name: 'HighLoad' },
      { fingerprint: 'f3', name: 'NodeDown' },
    ]);
    expect(await postAm(c, g1)).toMatchObject({ status: 200, body: { fired: 3 } });
    const g2 = amGroup('{}:{cluster="us-1"}', [
      { fingerprint: 'f4', name: 'DiskFull' },
      { fingerprint: 'f5', name: 'HighLoad' },
    ]);
    expect(await postAm(c, g2)).toMatchObject({ status: 200, body: { fired: 2 } });
    const list = await incidents(c);
    expect(list.map((i) => [i.key, i.alertIds.length])).toEqual([
      ['am:{}:{cluster="us-1"}', 2],
      ['am:{}:{cluster="eu-1"}', 3],
    ]);
    // The group rings once after the group wait, with one text for all its alerts.
    const ring = await s.waitFor((f) => isIncident(f, 'notified') && f.incidentId === list[1]?.id, 10_000);
    expect(ring.note).toMatch(/^paged: primary \(level 1\)/);
    await s.waitFor((f) => isIncident(f, 'notified') && f.incidentId === list[0]?.id, 10_000);
    expect(s.frames.filter((f) => isIncident(f, 'notified'))).toHaveLength(2);

    // Resolving the incident resolves its members; a comment is still taken afterwards (the postmortem).
    const us = list[0]?.id;
    s.send({ type: 'command', id: 'res-us', kind: 'resolve', incidentId: us });
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'res-us')).toMatchObject({ ok: true });
    await s.waitFor((f) => isIncident(f, 'resolved') && f.incidentId === us);
    const members = (await alerts(c)).filter((a) => a.incidentId === us);
    expect(members.map((a) => a.status)).toEqual(['resolved', 'resolved']);
    s.send({ type: 'command', id: 'ack-us', kind: 'ack', incidentId: us });
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'ack-us')).toMatchObject({
      ok: false,
      conflict: 'incident is resolved',
    });
    s.send({ type: 'command', id: 'note-us', kind: 'comment', incidentId: us, note: 'disk cleanup job' });
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'note-us')).toMatchObject({ ok: true });
    expect(await s.waitFor((f) => isIncident(f, 'commented'))).toMatchObject({
      incidentId: us,
      actor: 'watcher',
      note: 'disk cleanup job',
      incident: { status: 'resolved' },
    });
  });
});

describe('silences', () => {
  it('a silence made by a command silences a matching alert (recorded, never rings); expire-silence unmutes it', async () => {
    const c = await start();
    const s = await open(c, 'alice');
    const other = await open(c, 'bob');
    await s.waitFor((f) => f.type === 'silences');
    const silenceCommand = {
      type: 'command',
      id: 'sil-1',
      kind: 'silence',
      silence: {
        matchers: [{ name: 'alertname', op: '=', value: 'DiskFull' }],
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        comment: 'planned maintenance',
      },
    };
    s.send(silenceCommand);
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'sil-1')).toMatchObject({ ok: true });
    // Every connected desktop gets the new list.
    for (const peer of [s, other]) {
      const frame = await peer.waitFor((f) => f.type === 'silences' && (f.silences as unknown[]).length === 1);
      expect(frame.silences).toEqual([
        expect.objectContaining({ id: 'sil-1', createdBy: 'alice', comment: 'planned maintenance' }),
      ]);
    }
    expect(SilenceList.parse((await get(c, '/v1/silences')).body).silences.map((x) => x.id)).toEqual(['sil-1']);
    // A replayed command (the outbox after a reconnect) makes no second silence.
    s.send(silenceCommand);
    await s.waitFor(
      (f) => f.type === 'result' && f.id === 'sil-1' && s.frames.filter((x) => x.id === 'sil-1').length === 2,
    );
    expect(SilenceList.parse((await get(c, '/v1/silences')).body).silences).toHaveLength(1);

    await postAm(c, amGroup('{}:{cluster="eu-1"}', [{ fingerprint: 'f1', name: 'DiskFull' }]));
    const [alert] = await alerts(c);
    expect(alert).toMatchObject({ status: 'firing', silencedBy: 'sil-1' });
    const [incident] = await incidents(c);
    expect(incident).toMatchObject({ silenced: true, status: 'firing' });
    await sleep(WAIT_MS + 1_500);
    // Silenced: recorded and shown, but it never rang nor started an escalation.
    expect(s.frames.filter((f) => isIncident(f, 'notified') || isIncident(f, 'escalated'))).toEqual([]);
    expect((await incidents(c))[0]?.escalation).toBeUndefined();

    s.send({ type: 'command', id: 'exp-1', kind: 'expire-silence', silenceId: 'sil-1' });
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'exp-1')).toMatchObject({ ok: true });
    const unmuted = await s.waitFor(
      (f) => f.type === 'event' && f.kind === 'updated' && (f.alert as Alert).id === alert?.id,
    );
    expect((unmuted.alert as Alert).silencedBy).toBeUndefined();
    expect(unmuted.note).toBe('no longer silenced');
    // Its group wait is long over: it rings now that it is loud.
    await s.waitFor((f) => isIncident(f, 'notified') && f.incidentId === incident?.id, 5_000);
    const ended = SilenceList.parse((await get(c, '/v1/silences')).body).silences[0];
    expect(Date.parse(ended?.endsAt ?? '')).toBeLessThanOrEqual(Date.now());
  });
});

describe('bad input', () => {
  it('answers bad commands with a clear message, and bad queries with a 400 naming the field', async () => {
    const c = await start();
    const s = await open(c, 'alice');
    await s.waitFor((f) => f.type === 'silences');
    const result = async (frame: Record<string, unknown>): Promise<Record<string, unknown>> => {
      s.send({ type: 'command', ...frame });
      return s.waitFor((f) => f.type === 'result' && f.id === frame.id);
    };
    // A frame the schema refuses is an error frame naming the field (as for every bad frame).
    const refused = async (frame: Record<string, unknown>): Promise<Record<string, unknown>> => {
      const before = s.frames.filter((f) => f.type === 'error').length;
      s.send({ type: 'command', ...frame });
      await s.waitFor(() => s.frames.filter((f) => f.type === 'error').length > before);
      return s.frames.filter((f) => f.type === 'error')[before] ?? {};
    };
    expect(await refused({ id: 'both', kind: 'ack', alertId: 'a', incidentId: 'inc-1' })).toMatchObject({
      code: 'invalid_field',
      message: 'alertId: ack needs exactly one of alertId or incidentId',
    });
    expect(await refused({ id: 'neither', kind: 'ack' })).toMatchObject({
      code: 'invalid_field',
      message: 'alertId: ack needs exactly one of alertId or incidentId',
    });
    expect(await result({ id: 'unknown-inc', kind: 'ack', incidentId: 'inc-404' })).toMatchObject({
      ok: false,
      error: 'incident inc-404 not found',
    });
    const until = new Date(Date.now() + 3_600_000).toISOString();
    expect(
      await refused({ id: 'no-matchers', kind: 'silence', silence: { matchers: [], endsAt: until, comment: '' } }),
    ).toMatchObject({ code: 'invalid_field', message: expect.stringMatching(/^silence\.matchers/) });
    expect(
      await result({
        id: 'too-long',
        kind: 'silence',
        silence: {
          matchers: [{ name: 'service', op: '=', value: 'chat' }],
          endsAt: new Date(Date.now() + 30 * 24 * 3_600_000).toISOString(),
          comment: '',
        },
      }),
    ).toMatchObject({ ok: false, error: expect.stringMatching(/silences\.maxDuration/) });
    expect(
      await result({
        id: 'match-all',
        kind: 'silence',
        silence: { matchers: [{ name: 'service', op: '=~', value: '.*' }], endsAt: until, comment: '' },
      }),
    ).toMatchObject({ ok: false, error: expect.stringMatching(/^matchers: at least one matcher/) });
    expect(await result({ id: 'exp-unknown', kind: 'expire-silence', silenceId: 'nope' })).toMatchObject({
      ok: false,
      error: 'id: no silence "nope"',
    });
    expect(await refused({ id: 'ovr-target', kind: 'override', alertId: 'rotation' })).toMatchObject({
      code: 'invalid_field',
      message: expect.stringMatching(/override takes no alertId or incidentId/),
    });
    // The connection survives all of that.
    expect(await result({ id: 'still-ok', kind: 'expire-silence', silenceId: 'nope' })).toMatchObject({ ok: false });

    const bogus = await get(c, '/v1/incidents?status=bogus');
    expect(bogus).toMatchObject({ status: 400, body: { error: { code: 'invalid_field', field: 'status' } } });
    for (const limit of ['0', '-1', 'x', '100000', '1.5']) {
      expect(await get(c, `/v1/incidents?limit=${limit}`)).toMatchObject({
        status: 400,
        body: { error: { field: 'limit' } },
      });
    }
    const res = await fetch(`${c.url}/v1/incidents`);
    expect(res.status).toBe(401);
    expect((await fetch(`${c.url}/v1/silences`)).status).toBe(401);
  });

  it('refuses a bad grouping / inhibit / silences config naming the field', async () => {
    await expect(startCollector({ configYaml: 'grouping: { wait: soon }\n' })).rejects.toThrow(/grouping\.wait/);
    await expect(
      startCollector({
        configYaml:
          'inhibit:\n  rules:\n    - source: [{ name: alertname, op: "=~", value: "[" }]\n      target: [{ name: tier, op: "=", value: page }]\n',
      }),
    ).rejects.toThrow(/inhibit\.rules\.0\.source\.0\.value/);
    await expect(startCollector({ configYaml: 'silences: { maxDuration: 0s }\n' })).rejects.toThrow(
      /silences\.maxDuration/,
    );
  });
});
