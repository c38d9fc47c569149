import fc from 'fast-check';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import {
  handoffAt,
  RotationConfig,
  shifts,
  whoIsOnCall,
  type RotationConfigInput,
} from '../../shared/rotation/index.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const rot = (input: RotationConfigInput) => RotationConfig.parse(input);
const ms = (iso: string, zone = 'UTC') => DateTime.fromISO(iso, { zone }).toMillis();

const base = rot({
  timeZone: 'America/New_York',
  handoff: { day: 'monday', time: '09:00' },
  start: '2025-01-06',
  roster: ['ana', 'ben', 'cai'],
});

describe('rotation: weekly shifts', () => {
  it('hands off at 09:00 local on Mondays, secondary is next on the roster', () => {
    expect(whoIsOnCall(base, ms('2025-01-06T08:59', 'America/New_York'))).toEqual({ primary: 'cai', secondary: 'ana' });
    expect(whoIsOnCall(base, ms('2025-01-06T09:00', 'America/New_York'))).toEqual({ primary: 'ana', secondary: 'ben' });
    expect(whoIsOnCall(base, ms('2025-01-13T09:00', 'America/New_York'))).toEqual({ primary: 'ben', secondary: 'cai' });
    expect(whoIsOnCall(base, ms('2025-01-20T09:00', 'America/New_York'))).toEqual({ primary: 'cai', secondary: 'ana' });
  });

  it('keeps the handoff at 09:00 local across DST: the spring week is 167 h, the autumn week 169 h', () => {
    // US DST began 2025-03-09 and ended 2025-11-02.
    const k = (iso: string) => Math.round((ms(iso, 'America/New_York') - handoffAt(base, 0)) / (7 * DAY));
    const spring = k('2025-03-03T09:00');
    expect(handoffAt(base, spring + 1) - handoffAt(base, spring)).toBe(167 * HOUR);
    const autumn = k('2025-10-27T09:00');
    expect(handoffAt(base, autumn + 1) - handoffAt(base, autumn)).toBe(169 * HOUR);
    for (const i of [spring, spring + 1, autumn, autumn + 1]) {
      expect(DateTime.fromMillis(handoffAt(base, i), { zone: 'America/New_York' }).toFormat('ccc HH:mm')).toBe(
        'Mon 09:00',
      );
    }
  });

  it('overrides win over the schedule, the later override over an earlier one', () => {
    const r = rot({
      ...base,
      overrides: [
        { user: 'dee', from: '2025-01-07T00:00:00Z', to: '2025-01-08T00:00:00Z' },
        { user: 'eve', from: '2025-01-07T12:00:00Z', to: '2025-01-07T13:00:00Z' },
        { role: 'secondary', user: 'fay', from: '2025-01-07T00:00:00Z', to: '2025-01-07T01:00:00Z' },
      ],
    });
    expect(whoIsOnCall(r, ms('2025-01-07T06:00'))).toEqual({ primary: 'dee', secondary: 'ben' });
    expect(whoIsOnCall(r, ms('2025-01-07T12:30'))).toEqual({ primary: 'eve', secondary: 'ben' });
    expect(whoIsOnCall(r, ms('2025-01-07T00:30'))).toEqual({ primary: 'dee', secondary: 'fay' });
    expect(whoIsOnCall(r, ms('2025-01-08T00:00'))).toEqual({ primary: 'ana', secondary: 'ben' });
  });

  it('swaps trade two weeks for one role', () => {
    const r = rot({ ...base, swaps: [{ role: 'primary', weeks: ['2025-01-06', '2025-01-20'] }] });
    expect(whoIsOnCall(r, ms('2025-01-08T12:00'))).toEqual({ primary: 'cai', secondary: 'ben' });
    expect(whoIsOnCall(r, ms('2025-01-22T12:00'))).toEqual({ primary: 'ana', secondary: 'ana' });
    expect(whoIsOnCall(r, ms('2025-01-15T12:00'))).toEqual({ primary: 'ben', secondary: 'cai' });
  });

  it('rejects a bad config naming the field', () => {
    const bad = RotationConfig.safeParse({ timeZone: 'Mars/Olympus', roster: [] });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('timeZone');
    expect(paths).toContain('roster');
    expect(RotationConfig.safeParse({ roster: ['a'], handoff: { time: '25:00' } }).error?.issues[0]?.path).toEqual([
      'handoff',
      'time',
    ]);
    expect(
      RotationConfig.safeParse({
        roster: ['a'],
        overrides: [{ user: 'b', from: '2025-01-02T00:00:00Z', to: '2025-01-01T00:00:00Z' }],
      }).error?.issues[0]?.path,
    ).toEqual(['overrides', 0, 'to']);
  });
});

const zones = fc.constantFrom('UTC', 'Europe/Berlin', 'America/New_York', 'Australia/Sydney', 'Asia/Kolkata');
const days = fc.constantFrom('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday' as const);
const T0 = ms('2024-06-01T00:00');
const instant = fc.integer({ min: T0, max: T0 + 500 * DAY });
const rotation = fc
  .record({
    timeZone: zones,
    day: days,
    hour: fc.integer({ min: 0, max: 23 }),
    roster: fc.uniqueArray(fc.constantFrom('a', 'b', 'c', 'd', 'e'), { minLength: 1, maxLength: 5 }),
    overrides: fc.array(
      fc.record({
        at: instant,
        len: fc.integer({ min: 1, max: 3 * DAY }),
        user: fc.constantFrom('x', 'y'),
        role: fc.constantFrom('primary', 'secondary' as const),
      }),
      { maxLength: 4 },
    ),
  })
  .map((r) =>
    rot({
      timeZone: r.timeZone,
      handoff: { day: r.day, time: `${String(r.hour).padStart(2, '0')}:30` },
      start: '2024-05-01',
      roster: r.roster,
      overrides: r.overrides.map((o) => ({
        role: o.role,
        user: o.user,
        from: new Date(o.at).toISOString(),
        to: new Date(o.at + o.len).toISOString(),
      })),
    }),
  );

describe('rotation: properties', () => {
  it('shifts() covers a range without gaps or overlaps and agrees with whoIsOnCall', () => {
    fc.assert(
      fc.property(
        rotation,
        instant,
        fc.integer({ min: 1, max: 30 * DAY }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { maxLength: 5 }),
        (r, from, len, probes) => {
          const to = from + len;
          const list = shifts(r, from, to);
          expect(list[0]?.startMs).toBe(from);
          expect(list[list.length - 1]?.endMs).toBe(to);
          for (let i = 0; i < list.length; i++) {
            const s = list[i]!;
            expect(s.endMs).toBeGreaterThan(s.startMs);
            if (i > 0) {
              expect(s.startMs).toBe(list[i - 1]!.endMs);
              expect([s.primary, s.secondary]).not.toEqual([list[i - 1]!.primary, list[i - 1]!.secondary]);
            }
          }
          for (const p of probes) {
            const t = Math.floor(from + p * (len - 1));
            const s = list.find((x) => x.startMs <= t && t < x.endMs)!;
            expect({ primary: s.primary, secondary: s.secondary }).toEqual(whoIsOnCall(r, t));
          }
        },
      ),
      { numRuns: 80 },
    );
  }, 30_000);

  it('every handoff falls on the configured weekday and wall time, whatever DST does', () => {
    fc.assert(
      fc.property(rotation, fc.integer({ min: -10, max: 120 }), (r, k) => {
        const local = DateTime.fromMillis(handoffAt(r, k), { zone: r.timeZone });
        expect(local.toFormat('cccc').toLowerCase()).toBe(r.handoff.day);
        // A handoff inside a DST gap moves forward by the gap; otherwise it is exact.
        if (local.toFormat('HH:mm') !== r.handoff.time) expect(local.minute).toBe(30);
        expect(handoffAt(r, k + 1)).toBeGreaterThan(handoffAt(r, k));
      }),
      { numRuns: 200 },
    );
  }, 30_000);

  it('an override always wins for its role inside its range', () => {
    fc.assert(
      fc.property(rotation, fc.double({ min: 0, max: 1, noNaN: true }), (r, p) => {
        const o = r.overrides[r.overrides.length - 1];
        if (!o) return;
        const t = Math.floor(Date.parse(o.from) + p * (Date.parse(o.to) - Date.parse(o.from) - 1));
        expect(whoIsOnCall(r, t)[o.role]).toBe(o.user);
      }),
      { numRuns: 200 },
    );
  }, 30_000);
});
