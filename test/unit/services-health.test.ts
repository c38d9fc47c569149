import { DateTime } from 'luxon';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openCache, type Cache } from '../../electron/main/services/cache/index.js';
import {
  healthViewRange,
  openHealthCache,
  pulsePrompt,
  type HealthCache,
} from '../../electron/main/services/health/index.js';
import { toFrame } from '../../electron/main/services/outbox.js';
import { computeHealth } from '../../shared/health/compute.js';
import { EscalationConfig } from '../../shared/escalation/index.js';
import { CommandFrame } from '../../shared/protocol/stream.js';
import { PulseRequest, type CachedRotation } from '../../shared/protocol/index.js';
import { RotationConfig } from '../../shared/rotation/index.js';

/** Issue 15 on the desktop: the pulse prompt from the cached rotation, offline pulses in the outbox, the health cache. */
const BERLIN = 'Europe/Berlin';
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: BERLIN }).toMillis();
const rotation = RotationConfig.parse({
  timeZone: BERLIN,
  handoff: { day: 'monday', time: '10:00' },
  start: '2026-03-30',
  roster: ['alice', 'bob', 'carol'],
});
const cachedRotation: CachedRotation = {
  view: { rotation, overrides: [], shifts: [], generatedAt: '2026-03-29T00:00:00.000Z' },
  syncedAt: '2026-03-29T00:00:00.000Z',
};

describe('fatigue pulse prompt', () => {
  it("asks about the user's latest ended shift, once", () => {
    const now = berlin('2026-04-06T12:00');
    const prompt = pulsePrompt(cachedRotation, 'alice', new Set(), now);
    // alice: secondary 23–30 March straight into primary 30 March–6 April: the secondary end is no
    // end (she carries on), the primary's is.
    expect(prompt).toEqual({
      shiftEnd: '2026-04-06T08:00:00.000Z',
      shiftStart: '2026-03-30T08:00:00.000Z',
      role: 'primary',
    });
    expect(pulsePrompt(cachedRotation, 'alice', new Set(['2026-04-06T08:00:00.000Z']), now)).toBeNull();
    // Before it ends, nothing; bob's shift has not ended either (he holds primary now).
    expect(pulsePrompt(cachedRotation, 'alice', new Set(), berlin('2026-04-05T12:00'))).toBeNull();
    expect(pulsePrompt(null, 'alice', new Set(), now)).toBeNull();
  });

  it('asks the Health view for this rotation and the last 12', () => {
    const now = berlin('2026-04-08T12:00');
    const { fromMs, toMs } = healthViewRange(rotation, now);
    expect(toMs).toBe(now);
    expect(new Date(fromMs).toISOString()).toBe('2026-01-12T09:00:00.000Z'); // 12 handoffs before 6 April
  });
});

describe('health on the desktop cache', () => {
  let dir: string;
  let cache: Cache;
  let health: HealthCache;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'vigil-health-cache-'));
    cache = openCache(join(dir, 'cache.db'), { now: '2026-04-06T09:00:00.000Z' });
    health = openHealthCache(cache.path);
  });
  afterEach(() => {
    health.close();
    cache.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a pulse answered offline waits in the outbox and goes out as a valid pulse command', () => {
    const pulse = PulseRequest.parse({ shiftEnd: '2026-04-06T08:00:00.000Z', score: 3, comment: 'two night pages' });
    cache.enqueue({ id: 'p1', kind: 'pulse', pulse, createdAt: '2026-04-06T09:00:00.000Z' });
    const [queued] = cache.unanswered();
    expect(queued).toMatchObject({ id: 'p1', kind: 'pulse', pulse, state: 'queued' });
    const frame = CommandFrame.parse(toFrame(queued!));
    expect(frame).toMatchObject({ kind: 'pulse', pulse });
    expect(CommandFrame.safeParse({ ...frame, pulse: undefined }).success).toBe(false);
    expect(CommandFrame.safeParse({ ...frame, alertId: 'a1' }).success).toBe(false);
  });

  it('bounds the pulse: score 1–5, comment length', () => {
    const base = { shiftEnd: '2026-04-06T08:00:00.000Z', score: 3 };
    expect(PulseRequest.safeParse({ ...base, score: 0 }).success).toBe(false);
    expect(PulseRequest.safeParse({ ...base, score: 6 }).success).toBe(false);
    expect(PulseRequest.safeParse({ ...base, score: 2.5 }).success).toBe(false);
    expect(PulseRequest.safeParse({ ...base, comment: 'x'.repeat(501) }).success).toBe(false);
    expect(PulseRequest.safeParse({ ...base, comment: 'x'.repeat(500) }).success).toBe(true);
  });

  it('keeps the last answer with its "as of" time, and which shifts were asked about', () => {
    expect(health.get()).toBeNull();
    const answer = computeHealth({
      fromMs: berlin('2026-03-30T10:00'),
      toMs: berlin('2026-04-06T10:00'),
      nowMs: berlin('2026-04-06T10:00'),
      escalation: EscalationConfig.parse({}),
      rotation,
      entries: [],
      pulses: [],
      buckets: [],
      outages: [],
    });
    health.put(answer, '2026-04-06T08:00:05.000Z');
    expect(health.get()).toEqual({ answer, syncedAt: '2026-04-06T08:00:05.000Z' });
    health.markPrompt('alice', '2026-04-06T08:00:00.000Z', 'skipped', '2026-04-06T08:01:00.000Z');
    expect(health.promptedShiftEnds('alice')).toEqual(new Set(['2026-04-06T08:00:00.000Z']));
    expect(health.promptedShiftEnds('bob')).toEqual(new Set());
  });
});
