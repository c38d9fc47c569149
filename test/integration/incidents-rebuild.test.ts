import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { IncidentList, type Incident } from '../../shared/protocol/incident.js';
import { connectStream, startCollector, type CollectorHandle, type StreamClient } from '../fixtures/collector.js';

/**
 * A damaged incident core is rebuilt at start-up from the open alerts, under new incident ids:
 * the incidents the old core held must be closed (every desktop hears it), not left firing.
 */
const CONFIG = `
grouping: { wait: 0s }
`;

let collector: CollectorHandle | undefined;
const clients: StreamClient[] = [];
afterEach(async () => {
  for (const s of clients.splice(0)) await s.close();
  await collector?.stop();
  collector = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function incidents(c: CollectorHandle, query = ''): Promise<Incident[]> {
  const res = await fetch(`${c.url}/v1/incidents${query}`, { headers: { authorization: `Bearer ${c.token}` } });
  expect(res.status).toBe(200);
  return IncidentList.parse(await res.json()).incidents;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(100);
  }
}

function amFiring(): unknown {
  return {
    receiver: 'vigil',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'DiskFull', severity: 'critical', cluster: 'eu-1' },
        annotations: { summary: 'DiskFull on eu-1' },
        startsAt: new Date(Date.now() - 60_000).toISOString(),
        endsAt: '0001-01-01T00:00:00Z',
        fingerprint: 'f1',
      },
    ],
    groupLabels: { cluster: 'eu-1' },
    commonLabels: { cluster: 'eu-1' },
    commonAnnotations: {},
    externalURL: 'http://am.example.org',
    version: '4',
    groupKey: '{}:{cluster="eu-1"}',
    truncatedAlerts: 0,
  };
}

describe('rebuilding a damaged incident core', () => {
  it('closes the old open incident: GET ?status=firing no longer lists it, and a `resolved` frame says so', async () => {
    const c = await startCollector({ configYaml: CONFIG });
    collector = c;
    const res = await fetch(`${c.url}/v1/integrations/alertmanager`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${c.token}` },
      body: JSON.stringify(amFiring()),
    });
    expect(res.status).toBe(200);
    // It rang: a firing incident with a page.
    const old = await until('the incident rings', async () =>
      (await incidents(c, '?status=firing')).find((i) => i.escalation !== undefined),
    );
    const before = await connectStream(c.url, c.token, { user: 'watcher' });
    clients.push(before);
    await before.waitFor((f) => f.type === 'silences');
    const seqs = before.frames.map((f) => (typeof f.seq === 'number' ? f.seq : 0));
    const lastSeq = Math.max(0, ...seqs);
    await before.close();
    clients.splice(0);

    await c.kill('SIGTERM');
    const db = new Database(join(c.dataDir, 'collector.db'));
    db.prepare('UPDATE incident_core SET state_json = \'{"seq": "broken"}\'').run();
    db.close();
    await c.restart();

    const firing = await incidents(c, '?status=firing');
    expect(firing.map((i) => i.id)).not.toContain(old.id);
    expect(firing).toHaveLength(1); // the alert, filed under a new id
    const [closed] = (await incidents(c)).filter((i) => i.id === old.id);
    expect(closed).toMatchObject({ status: 'resolved', alertIds: [] });
    expect(closed?.escalation).toBeUndefined();

    // A desktop catching up from where it was hears the old incident close.
    const after = await connectStream(c.url, c.token, { user: 'watcher', lastSeq });
    clients.push(after);
    expect(
      await after.waitFor((f) => f.type === 'incident' && f.kind === 'resolved' && f.incidentId === old.id, 10_000),
    ).toMatchObject({ note: 'incident state rebuilt', incident: { id: old.id, status: 'resolved' } });

    // An ack on the old id is a conflict; on the new one it is taken.
    after.send({ type: 'command', id: 'ack-old', kind: 'ack', incidentId: old.id });
    expect(await after.waitFor((f) => f.type === 'result' && f.id === 'ack-old')).toMatchObject({ ok: false });
    after.send({ type: 'command', id: 'ack-new', kind: 'ack', incidentId: firing[0]?.id });
    expect(await after.waitFor((f) => f.type === 'result' && f.id === 'ack-new')).toMatchObject({ ok: true });
  });
});
