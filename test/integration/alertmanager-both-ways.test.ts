import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentList, type Incident } from '../../shared/protocol/index.js';
import { connectStream, startCollector, type CollectorHandle, type StreamClient } from '../fixtures/collector.js';
import { freePort, startAlertmanager, waitFor, type ServerHandle } from '../fixtures/prom-servers.js';

/**
 * Issue 17 against Debian's real `prometheus-alertmanager`: alerts posted to its API v2 reach
 * the real collector through a webhook receiver, grouped as Alertmanager groups them; an ack in
 * Vigil silences them in Alertmanager, an unack expires the silence; an unreachable
 * Alertmanager shows on the incident timeline and the ack still holds.
 */
const WAIT_MS = 30_000;

let collector: CollectorHandle;
let am: ServerHandle;
const clients: StreamClient[] = [];

beforeAll(async () => {
  const amPort = await freePort();
  collector = await startCollector({
    configYaml: [
      'grouping: {wait: 500ms}',
      'integrations:',
      `  alertmanager: {url: "http://127.0.0.1:${amPort}/", silenceOnAck: true, silenceDuration: 2h, timeout: 5s}`,
      '',
    ].join('\n'),
  });
  am = await startAlertmanager(
    [
      'route:',
      '  receiver: vigil',
      '  group_by: [alertname]',
      '  group_wait: 1s',
      '  group_interval: 1s',
      '  repeat_interval: 1h',
      'receivers:',
      '  - name: vigil',
      '    webhook_configs:',
      `      - url: ${collector.url}/v1/integrations/alertmanager`,
      '        send_resolved: true',
      `        http_config: {authorization: {credentials: ${JSON.stringify(collector.token)}}}`,
      '',
    ].join('\n'),
    amPort,
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(clients.splice(0).map((s) => s.close()));
  await am?.stop();
  await collector?.stop();
});

async function incidents(c: CollectorHandle): Promise<Incident[]> {
  const res = await fetch(`${c.url}/v1/incidents`, { headers: { authorization: `Bearer ${c.token}` } });
  return IncidentList.parse(await res.json()).incidents;
}

async function postAlerts(alerts: { labels: Record<string, string>; endsAt?: string }[]): Promise<void> {
  const res = await fetch(`${am.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts.map((a) => ({ ...a, annotations: { summary: `${a.labels.alertname} firing` } }))),
    signal: AbortSignal.timeout(5_000),
  });
  expect(res.status).toBe(200);
}

interface AmSilence {
  id: string;
  status: { state: string };
  createdBy: string;
  comment: string;
  endsAt: string;
  matchers: { name: string; value: string; isEqual?: boolean; isRegex: boolean }[];
}
async function amSilences(): Promise<AmSilence[]> {
  const res = await fetch(`${am.url}/api/v2/silences`, { signal: AbortSignal.timeout(5_000) });
  return (await res.json()) as AmSilence[];
}

const latency = (service: string) => ({ labels: { alertname: 'HighLatency', service, severity: 'critical' } });
const disk = { labels: { alertname: 'DiskFull', instance: 'db-1', severity: 'warning' } };
const timeline = (s: StreamClient, incidentId: string, re: RegExp) =>
  s.waitFor(
    (f) => f.type === 'incident' && f.kind === 'commented' && f.incidentId === incidentId && re.test(String(f.note)),
    WAIT_MS,
  );

describe('Alertmanager both ways (issue 17)', () => {
  it('groups arrive as incidents; resolved alerts resolve; ack silences, unack expires', async () => {
    await postAlerts([latency('checkout'), latency('search'), disk]);
    const [lat, dsk] = await waitFor(
      'two incidents, grouped by alertname as Alertmanager groups them',
      async () => {
        const list = await incidents(collector);
        const l = list.find((i) => i.alertIds.length === 2);
        const d = list.find((i) => i.alertIds.length === 1);
        return list.length === 2 && l && d ? [l, d] : undefined;
      },
      WAIT_MS,
    );
    expect(lat!.status).toBe('firing');
    expect(dsk!.tier).toBe('ticket');

    // DiskFull resolves in Alertmanager (endsAt in the past): its incident resolves in Vigil.
    await postAlerts([{ ...disk, endsAt: new Date(Date.now() - 1_000).toISOString() }]);
    await waitFor(
      'the DiskFull incident resolved',
      async () =>
        (await incidents(collector)).find((i) => i.id === dsk!.id)?.status === 'resolved' ? true : undefined,
      WAIT_MS,
    );

    const alice = await connectStream(collector.url, collector.token, { user: 'alice' });
    clients.push(alice);
    alice.send({ type: 'command', id: 'ack-lat', kind: 'ack', incidentId: lat!.id });
    expect(await alice.waitFor((f) => f.type === 'result' && f.id === 'ack-lat')).toMatchObject({ ok: true });
    const created = await timeline(alice, lat!.id, /Alertmanager silence created/);
    // One silence per alert, by the acknowledging user, equality matchers on the alert's own labels.
    const active = await waitFor(
      'two active silences in Alertmanager',
      async () => {
        const s = (await amSilences()).filter((x) => x.status.state === 'active');
        return s.length === 2 ? s : undefined;
      },
      WAIT_MS,
    );
    for (const s of active) {
      expect(String(created.note)).toContain(s.id);
      expect(s.createdBy).toBe('alice');
      expect(s.comment).toContain(`[vigil incident ${lat!.id}]`);
      expect(s.matchers.every((m) => !m.isRegex && m.isEqual !== false)).toBe(true);
      expect(s.matchers.map((m) => m.name).sort()).toEqual(['alertname', 'service', 'severity']);
      const hours = (Date.parse(s.endsAt) - Date.now()) / 3_600_000;
      expect(hours).toBeGreaterThan(1.9);
      expect(hours).toBeLessThanOrEqual(2);
    }
    expect(active.map((s) => s.matchers.find((m) => m.name === 'service')?.value).sort()).toEqual([
      'checkout',
      'search',
    ]);

    alice.send({ type: 'command', id: 'unack-lat', kind: 'unack', incidentId: lat!.id });
    expect(await alice.waitFor((f) => f.type === 'result' && f.id === 'unack-lat')).toMatchObject({ ok: true });
    await timeline(alice, lat!.id, /Alertmanager silence expired \(unacknowledged\)/);
    const after = await amSilences();
    for (const s of active) expect(after.find((x) => x.id === s.id)?.status.state).toBe('expired');

    // Ack again, then resolve in Vigil: the incident resolves, the silence expires. (Alertmanager
    // itself sends no resolution for alerts it holds silenced: that is why resolving in Vigil must expire it.)
    alice.send({ type: 'command', id: 'ack-lat-2', kind: 'ack', incidentId: lat!.id });
    await alice.waitFor((f) => f.type === 'result' && f.id === 'ack-lat-2');
    await waitFor(
      'the second pair of silences',
      async () => ((await amSilences()).filter((x) => x.status.state === 'active').length === 2 ? true : undefined),
      WAIT_MS,
    );
    alice.send({ type: 'command', id: 'resolve-lat', kind: 'resolve', incidentId: lat!.id });
    expect(await alice.waitFor((f) => f.type === 'result' && f.id === 'resolve-lat')).toMatchObject({ ok: true });
    await timeline(alice, lat!.id, /Alertmanager silence expired \(resolved\)/);
    expect((await amSilences()).filter((x) => x.status.state === 'active')).toEqual([]);
  });
});

describe('Alertmanager unreachable (issue 17)', () => {
  let lone: CollectorHandle | undefined;
  afterAll(async () => {
    await lone?.stop();
  });

  it('the ack holds and the failure is on the incident timeline', async () => {
    const closed = await freePort(); // nothing listens there
    lone = await startCollector({
      configYaml: [
        'grouping: {wait: 500ms}',
        'integrations:',
        `  alertmanager: {url: "http://127.0.0.1:${closed}", silenceOnAck: true, timeout: 2s}`,
        '',
      ].join('\n'),
    });
    const c = lone;
    const res = await fetch(`${c.url}/v1/integrations/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
      body: JSON.stringify({
        receiver: 'vigil',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'QueueBacklog', severity: 'critical' },
            annotations: {},
            startsAt: new Date(Date.now() - 60_000).toISOString(),
            endsAt: '0001-01-01T00:00:00Z',
            fingerprint: 'fp-queue',
          },
        ],
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://am.example.org',
        version: '4',
        groupKey: '{}:{alertname="QueueBacklog"}',
        truncatedAlerts: 0,
      }),
    });
    expect(res.status).toBe(200);
    const [inc] = await waitFor(
      'the incident',
      async () => {
        const l = await incidents(c);
        return l.length === 1 ? l : undefined;
      },
      WAIT_MS,
    );
    const bob = await connectStream(c.url, c.token, { user: 'bob' });
    clients.push(bob);
    bob.send({ type: 'command', id: 'ack-q', kind: 'ack', incidentId: inc!.id });
    expect(await bob.waitFor((f) => f.type === 'result' && f.id === 'ack-q')).toMatchObject({ ok: true });
    const failed = await timeline(bob, inc!.id, /Alertmanager silence FAILED/);
    expect(String(failed.note)).toMatch(
      /QueueBacklog: POST http:\/\/127\.0\.0\.1:\d+\/api\/v2\/silences failed: ECONNREFUSED/,
    );
    // Not swallowed, not blocking: the incident stays acknowledged.
    expect((await incidents(c)).find((i) => i.id === inc!.id)?.status).toBe('acknowledged');
  });
});
