import { afterEach, describe, expect, it } from 'vitest';
import { RotationConfig, whoIsOnCall } from '../../shared/rotation/index.js';
import { connectStream, errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';

/** A 3 s ack SLA makes a real deadline reachable in a test; two levels so level 2 is the last step. */
const CONFIG = `
escalation:
  tiers:
    page:
      renotifyEvery: 60s
      ackSla: { businessHours: 3s, outsideHours: 3s }
      levels: [primary, secondary]
rotation:
  timeZone: Europe/Berlin
  roster: [alice, bob, carol]
`;
const rotation = RotationConfig.parse({ timeZone: 'Europe/Berlin', roster: ['alice', 'bob', 'carol'] });

type Frame = Record<string, unknown> & {
  alert?: { id: string; escalation?: { level: number; target: string; dueAt: string; nextTarget?: string } };
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let collector: CollectorHandle | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

async function fire(c: CollectorHandle, service: string): Promise<void> {
  const startMs = Date.now() - 30 * 60_000;
  const events = errorBurst({
    service,
    provider: 'openai',
    model: 'gpt-4o',
    startMs,
    minutes: 16,
    perMinute: 60,
    errorRate: 0.3,
  });
  // Later traffic moves the event-time watermark past the burst so its minutes are evaluated.
  events.push(
    ...errorBurst({
      service,
      provider: 'openai',
      model: 'gpt-4o',
      startMs: startMs + 18 * 60_000,
      minutes: 1,
      perMinute: 1,
      errorRate: 1,
    }),
  );
  const r = await postEvents(c.url, c.token, events);
  expect(r.status).toBe(200);
}

describe('escalation deadlines survive a killed collector', () => {
  it('pages level 1 at once; killed before the deadline and started after it, escalates on start, exactly once', async () => {
    collector = await startCollector({ configYaml: CONFIG });
    const onCall = whoIsOnCall(rotation, Date.now());
    const stream = await connectStream(collector.url, collector.token, { user: 'watcher' });
    await fire(collector, 'chat');
    const paged = (await stream.waitFor((f) => f.type === 'event' && f.kind === 'notified')) as Frame;
    expect(paged.note).toMatch(new RegExp(`paged: ${onCall.primary} \\(level 1\\)`));
    const esc = paged.alert?.escalation;
    expect(esc).toMatchObject({ level: 1, target: onCall.primary, nextTarget: onCall.secondary });
    const dueAt = Date.parse(esc?.dueAt ?? '');
    expect(dueAt).toBeGreaterThan(Date.now());

    await collector.kill('SIGKILL');
    await stream.close();
    expect(stream.frames.some((f) => f.kind === 'escalated')).toBe(false);
    await sleep(Math.max(0, dueAt - Date.now()) + 1_000);
    const restartedAt = Date.now();
    await collector.restart();

    const after = await connectStream(collector.url, collector.token, { user: 'watcher' });
    const escalated = (await after.waitFor((f) => f.type === 'event' && f.kind === 'escalated')) as Frame;
    expect(escalated.alertId).toBe(paged.alertId);
    expect(escalated.alert?.escalation).toMatchObject({ level: 2, target: onCall.secondary });
    expect(escalated.alert?.escalation?.nextTarget).toBeUndefined();
    expect(Date.parse(String(escalated.at))).toBeGreaterThanOrEqual(restartedAt);
    expect(escalated.note).toMatch(/escalated to level 2.*\(due /);
    // Let any duplicate surface before counting.
    await sleep(1_500);
    expect(after.frames.filter((f) => f.kind === 'escalated')).toHaveLength(1);

    // Level 2 is the last: a manual escalate is a conflict, not a silent no-op.
    after.send({ type: 'command', id: 'esc-last', kind: 'escalate', alertId: paged.alertId });
    expect(await after.waitFor((f) => f.type === 'result' && f.id === 'esc-last')).toMatchObject({
      ok: false,
      conflict: expect.stringMatching(/last escalation level/),
    });
    await after.close();
  });

  it('an acknowledged page never escalates; a snoozed one pages again when the snooze ends', async () => {
    collector = await startCollector({ configYaml: CONFIG });
    const s = await connectStream(collector.url, collector.token, { user: 'alice' });
    await fire(collector, 'search');
    const paged = (await s.waitFor((f) => f.type === 'event' && f.kind === 'notified')) as Frame;
    const id = String(paged.alertId);
    s.send({ type: 'command', id: 'ack-1', kind: 'ack', alertId: id });
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'ack-1')).toMatchObject({ ok: true });
    await sleep(4_000);
    expect(s.frames.filter((f) => f.alertId === id && (f.kind === 'escalated' || f.kind === 'notified'))).toHaveLength(
      1,
    );

    s.send({
      type: 'command',
      id: 'snooze-1',
      kind: 'snooze',
      alertId: id,
      until: new Date(Date.now() + 1_500).toISOString(),
    });
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'snooze-1')).toMatchObject({ ok: true });
    const again = (await s.waitFor(
      (f) => f.kind === 'notified' && String(f.note).startsWith('snooze ended'),
      5_000,
    )) as Frame;
    expect(again.alert).toMatchObject({ status: 'firing', escalation: { level: 1 } });
    await s.close();
  });

  it('refuses a bad escalation config naming the field', async () => {
    await expect(
      startCollector({ configYaml: 'escalation:\n  tiers:\n    page:\n      ackSla: { businessHours: soon }\n' }),
    ).rejects.toThrow(/escalation\.tiers\.page\.ackSla\.businessHours/);
    await expect(startCollector({ configYaml: 'rotation:\n  roster: []\n' })).rejects.toThrow(/rotation\.roster/);
  });
});
