import { afterEach, describe, expect, it } from 'vitest';
import { RotationConfig, whoIsOnCall } from '../../shared/rotation/index.js';
import { connectStream, errorBurst, postEvents, startCollector, type CollectorHandle } from '../fixtures/collector.js';

/**
 * A 3 s ack SLA makes a real deadline reachable in a test; two levels so level 2 is the last step.
 * Protocol 5: escalation is per incident; no group wait, so an incident rings as it opens.
 */
const CONFIG = `
grouping: { wait: 0s }
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
  incident?: {
    id: string;
    status: string;
    alertIds: string[];
    escalation?: { level: number; target: string; dueAt: string; nextTarget?: string };
  };
};
const isIncident = (f: Record<string, unknown>, kind: string): boolean => f.type === 'incident' && f.kind === kind;
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
    const paged = (await stream.waitFor((f) => isIncident(f, 'notified'))) as Frame;
    expect(paged.note).toMatch(new RegExp(`paged: ${onCall.primary} \\(level 1\\)`));
    const esc = paged.incident?.escalation;
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
    const escalated = (await after.waitFor((f) => isIncident(f, 'escalated'))) as Frame;
    expect(escalated.incidentId).toBe(paged.incidentId);
    expect(escalated.incident?.escalation).toMatchObject({ level: 2, target: onCall.secondary });
    expect(escalated.incident?.escalation?.nextTarget).toBeUndefined();
    expect(Date.parse(String(escalated.at))).toBeGreaterThanOrEqual(restartedAt);
    expect(escalated.note).toMatch(/escalated to level 2.*\(due /);
    // Let any duplicate surface before counting.
    await sleep(1_500);
    expect(after.frames.filter((f) => f.kind === 'escalated')).toHaveLength(1);

    // Level 2 is the last: a manual escalate is a conflict, not a silent no-op.
    after.send({ type: 'command', id: 'esc-last', kind: 'escalate', incidentId: paged.incidentId });
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
    const paged = (await s.waitFor((f) => isIncident(f, 'notified'))) as Frame;
    const incidentId = String(paged.incidentId);
    // Acknowledging a member alert acknowledges its incident (paging state is the incident's),
    // whichever member: the burst's tail may have raised (and resolved) a provider-down too.
    const memberId = paged.incident?.alertIds[0];
    s.send({ type: 'command', id: 'ack-1', kind: 'ack', alertId: memberId });
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'ack-1')).toMatchObject({ ok: true });
    expect(await s.waitFor((f) => isIncident(f, 'acknowledged'))).toMatchObject({
      incidentId,
      actor: 'alice',
      incident: { status: 'acknowledged', acknowledgedBy: 'alice' },
    });
    await sleep(4_000);
    expect(
      s.frames.filter((f) => f.incidentId === incidentId && (f.kind === 'escalated' || f.kind === 'notified')),
    ).toHaveLength(1);

    s.send({
      type: 'command',
      id: 'snooze-1',
      kind: 'snooze',
      incidentId,
      until: new Date(Date.now() + 1_500).toISOString(),
    });
    expect(await s.waitFor((f) => f.type === 'result' && f.id === 'snooze-1')).toMatchObject({ ok: true });
    const again = (await s.waitFor(
      (f) => isIncident(f, 'notified') && String(f.note).startsWith('snooze ended'),
      5_000,
    )) as Frame;
    expect(again.incident).toMatchObject({ status: 'firing', escalation: { level: 1 } });
    // Its members snoozed with it are firing again.
    const woke = await s.waitFor(
      (f) =>
        f.type === 'event' &&
        f.kind === 'updated' &&
        paged.incident?.alertIds.includes(String(f.alertId)) === true &&
        f.note === 'snooze ended',
    );
    expect(woke.alert).toMatchObject({ status: 'firing' });
    expect((woke.alert as { snoozedUntil?: string }).snoozedUntil).toBeUndefined();
    await s.close();
  });

  it('a restart during the group wait rings the incident exactly once', async () => {
    const waiting = CONFIG.replace('grouping: { wait: 0s }', 'grouping: { wait: 3s }');
    collector = await startCollector({ configYaml: waiting });
    const s = await connectStream(collector.url, collector.token, { user: 'watcher' });
    await fire(collector, 'chat');
    const opened = (await s.waitFor((f) => isIncident(f, 'fired'))) as Frame;
    // No ring (and no escalation to count down) during the group wait.
    expect(opened.incident?.escalation).toBeUndefined();
    await collector.kill('SIGKILL');
    await s.close();
    await collector.restart();
    const after = await connectStream(collector.url, collector.token, { user: 'watcher' });
    const rang = (await after.waitFor((f) => isIncident(f, 'notified'), 10_000)) as Frame;
    expect(rang.incidentId).toBe(opened.incidentId);
    expect(Date.parse(String(rang.at))).toBeGreaterThanOrEqual(Date.parse(String(opened.at)) + 3_000);
    // Killed again after the ring and restarted: the pending ring was consumed with the commit.
    await collector.kill('SIGKILL');
    await after.close();
    await collector.restart();
    const third = await connectStream(collector.url, collector.token, { user: 'watcher' });
    await third.waitFor((f) => f.type === 'silences');
    await sleep(1_500);
    expect(third.frames.filter((f) => isIncident(f, 'notified'))).toHaveLength(1);
    await third.close();
  });

  it('refuses a bad escalation config naming the field', async () => {
    await expect(
      startCollector({ configYaml: 'escalation:\n  tiers:\n    page:\n      ackSla: { businessHours: soon }\n' }),
    ).rejects.toThrow(/escalation\.tiers\.page\.ackSla\.businessHours/);
    await expect(startCollector({ configYaml: 'rotation:\n  roster: []\n' })).rejects.toThrow(/rotation\.roster/);
  });
});
