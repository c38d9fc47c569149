import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HealthAnswer } from '../../shared/protocol/health.js';
import { connectStream, startCollector, type CollectorHandle, type StreamClient } from '../fixtures/collector.js';

/**
 * Issue 15 against a real collector process: an incident fires (Events-v2, critical = page),
 * rings the rotation's primary after a short group wait, is acknowledged over the stream, and
 * `GET /v1/health` counts it (schema-validated), also after a restart; a fatigue pulse goes in
 * as a `pulse` command; bad query parameters answer 400 naming the field.
 */
const CONFIG = `
grouping: { wait: 300ms }
rotation:
  timeZone: UTC
  handoff: { day: monday, time: "00:00" }
  start: "2026-01-05"
  roster: [alice]
escalation:
  businessHours: { timeZone: UTC, days: [], holidays: [] }
`;
const HOUR = 3_600_000;

let c: CollectorHandle;
let stream: StreamClient | undefined;

beforeAll(async () => {
  c = await startCollector({ configYaml: CONFIG });
}, 30_000);
afterAll(async () => {
  await stream?.close();
  await c?.stop();
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${c.url}${path}`, { headers: { authorization: `Bearer ${c.token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** One fixed range for every query, so answers before and after the restart compare whole. */
const NOW = Date.now();
const RANGE = `from=${new Date(NOW - 24 * HOUR).toISOString()}&to=${new Date(NOW + HOUR).toISOString()}`;
const range = (): string => RANGE;

async function health(): Promise<HealthAnswer> {
  const r = await get(`/v1/health?${range()}`);
  expect(r.status).toBe(200);
  return HealthAnswer.parse(r.body);
}

describe('GET /v1/health over a real collector', () => {
  it('counts a fired, notified and acknowledged incident; survives a restart; takes a pulse', async () => {
    stream = await connectStream(c.url, c.token, { user: 'alice' });
    const res = await fetch(`${c.url}/v1/integrations/events-v2`, {
      method: 'POST',
      headers: { authorization: `Bearer ${c.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: 'health-test',
        event_action: 'trigger',
        payload: { summary: 'chat is down', source: 'chat', severity: 'critical' },
      }),
    });
    expect(res.status).toBe(202);
    const notified = await stream.waitFor((f) => f.type === 'incident' && f.kind === 'notified', 10_000);
    expect(notified.note).toMatch(/paged: alice \(level 1\)/);
    const incidentId = String(notified.incidentId);
    await new Promise((r) => setTimeout(r, 1_100)); // a measurable MTTA (≥ 1 s)
    stream.send({ type: 'command', id: 'ack-1', kind: 'ack', incidentId });
    expect(await stream.waitFor((f) => f.type === 'result' && f.id === 'ack-1')).toMatchObject({ ok: true });

    const a = await health();
    expect(a.pages).toBe(1);
    expect(a.offHoursPages).toBe(1); // no business days configured: everything is off hours
    expect(a.mttaSeconds).toBeGreaterThanOrEqual(1);
    expect(a.mttaSeconds).toBeLessThan(60);
    expect(a.mttrSeconds).toBeNull();
    expect(a.ackSlaBreaches).toBe(0);
    expect(a.byUser.alice).toMatchObject({ pages: 1, mttaSeconds: a.mttaSeconds });
    expect(a.byUser.alice?.onCallHours).toBeGreaterThan(24); // on call for the whole range
    expect(a.weeks.reduce((n, w) => n + w.pages, 0)).toBe(1);

    // A fatigue pulse for alice's shift that ended at the last handoff (Monday 00:00 UTC), answered
    // offline and sent on reconnect: the same command. An instant that ends no shift of hers is refused.
    const today = new Date();
    const lastHandoffMs =
      Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()) -
      ((today.getUTCDay() + 6) % 7) * 24 * HOUR;
    const shiftEnd = new Date(lastHandoffMs).toISOString();
    stream.send({
      type: 'command',
      id: 'pulse-0',
      kind: 'pulse',
      pulse: { shiftEnd: new Date(lastHandoffMs + 60_000).toISOString(), score: 4 },
    });
    expect(await stream.waitFor((f) => f.type === 'result' && f.id === 'pulse-0')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^pulse\.shiftEnd: no shift of alice ends/) as unknown,
    });
    const pulse = {
      type: 'command',
      id: 'pulse-1',
      kind: 'pulse',
      pulse: { shiftEnd, score: 4, comment: 'one page, fine' },
    };
    stream.send(pulse);
    expect(await stream.waitFor((f) => f.type === 'result' && f.id === 'pulse-1')).toMatchObject({ ok: true });
    stream.send({
      ...pulse,
      id: 'pulse-2',
      pulse: { ...pulse.pulse, shiftEnd: new Date(Date.now() + 2 * HOUR).toISOString() },
    });
    expect(await stream.waitFor((f) => f.type === 'result' && f.id === 'pulse-2')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/not ended yet/) as unknown,
    });
    const pulseRange = `from=${new Date(lastHandoffMs - HOUR).toISOString()}&to=${new Date(NOW + HOUR).toISOString()}`;
    const pr = await get(`/v1/health?${pulseRange}`);
    expect(pr.status).toBe(200);
    const withPulse = HealthAnswer.parse(pr.body);
    expect(withPulse.pulse.reduce((n, q) => n + q.responses, 0)).toBe(1);
    expect(withPulse.pulse.find((q) => q.responses === 1)).toMatchObject({
      average: 4,
      comments: [{ shiftEnd, score: 4, comment: 'one page, fine' }],
    });
    const before = await health();

    await stream.close();
    stream = undefined;
    await c.restart();
    const after = await health();
    // Exact and durable: the same figures from the stored log after a restart.
    expect({ ...after, generatedAt: '' }).toEqual({ ...before, generatedAt: '' });
    const pulseAfter = HealthAnswer.parse((await get(`/v1/health?${pulseRange}`)).body);
    expect({ ...pulseAfter, generatedAt: '' }).toEqual({ ...withPulse, generatedAt: '' });
    expect(after.mttaSeconds).toBe(a.mttaSeconds);
  }, 60_000);

  it.each([
    ['', 'from'],
    ['from=2026-03-01T00:00:00Z', 'to'],
    ['from=last%20week&to=2026-03-08T00:00:00Z', 'from'],
    ['from=2026-03-01T00:00:00Z&to=soon', 'to'],
    ['from=2026-03-08T00:00:00Z&to=2026-03-01T00:00:00Z', 'to'],
    ['from=2024-01-01T00:00:00Z&to=2026-03-08T00:00:00Z', 'to'],
  ])('GET /v1/health?%s → 400 naming %s', async (query, field) => {
    const r = await get(`/v1/health?${query}`);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ error: { code: 'invalid_field', field } });
  });

  it('needs the bearer token', async () => {
    const res = await fetch(`${c.url}/v1/health?${range()}`);
    expect(res.status).toBe(401);
  });
});
