import ICAL from 'ical.js';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { CommandFrame } from '../../shared/protocol/stream.js';
import { parseIcsQuery } from '../../electron/collector/rotation/rotation-ics-route.js';
import { HttpError } from '../../electron/collector/http/http-error.js';
import { rotationIcs, shiftUid } from '../../shared/rotation/ics.js';
import { roleShifts } from '../../shared/rotation/role-shifts.js';
import { RotationConfig, whoIsOnCall, type RotationConfigInput } from '../../shared/rotation/index.js';
import type { CachedRotation, RotationChange, StoredOverride } from '../../shared/protocol/index.js';
import {
  calendarPieces,
  holderLabel,
  monthDays,
  myShiftLine,
  pieceBy,
  pieceKind,
  previewRotation,
  weekDays,
} from '../../renderer/src/lib/rotation.js';

const HOUR = 3_600_000;
const BERLIN = 'Europe/Berlin';
const rot = (input: RotationConfigInput) => RotationConfig.parse(input);
const berlin = (iso: string) => DateTime.fromISO(iso, { zone: BERLIN }).toMillis();
const local = (ms: number, zone = BERLIN) => DateTime.fromMillis(ms, { zone });

/** Handoff Monday 10:00 Berlin; 2026-03-29 (spring) and 2026-10-25 (autumn) are DST changes. */
const team = rot({
  timeZone: BERLIN,
  handoff: { day: 'monday', time: '10:00' },
  start: '2026-01-19',
  roster: ['alice', 'bob', 'carol'],
});

function parseIcs(text: string) {
  const cal = new ICAL.Component(ICAL.parse(text));
  const events = cal.getAllSubcomponents('vevent').map((v) => {
    const e = new ICAL.Event(v);
    return {
      uid: e.uid,
      summary: e.summary,
      start: e.startDate.toJSDate().getTime(),
      end: e.endDate.toJSDate().getTime(),
      category: String(v.getFirstPropertyValue('categories')),
    };
  });
  return { cal, events };
}

describe('rotation pieces across DST', () => {
  it('keeps the Monday 10:00 Berlin handoff through both changes (167 h and 169 h weeks)', () => {
    for (const [from, to, hours] of [
      ['2026-03-23T10:00', '2026-03-30T10:00', 167],
      ['2026-10-19T10:00', '2026-10-26T10:00', 169],
    ] as const) {
      const pieces = roleShifts(team, berlin(from), berlin(to) + 7 * 24 * HOUR);
      const primaries = pieces.filter((p) => p.role === 'primary');
      expect(primaries).toHaveLength(2);
      for (const p of primaries) {
        expect(local(p.startMs).toFormat('ccc HH:mm')).toBe('Mon 10:00');
        expect(local(p.endMs).toFormat('ccc HH:mm')).toBe('Mon 10:00');
      }
      expect(((primaries[0]?.endMs ?? 0) - (primaries[0]?.startMs ?? 0)) / HOUR).toBe(hours);
    }
  });

  it('the .ics, parsed back by ical.js, starts every shift at 10:00 Berlin on both sides of the change', () => {
    const text = rotationIcs(team, berlin('2026-03-16T10:00'), berlin('2026-04-06T10:00'), { generatedAtMs: 0 });
    const { cal, events } = parseIcs(text);
    expect(cal.getFirstPropertyValue('version')).toBe('2.0');
    expect(String(cal.getFirstPropertyValue('prodid'))).toMatch(/Vigil/);
    expect(events).toHaveLength(6); // 3 weeks × 2 roles
    for (const e of events) {
      expect(local(e.start).toFormat('ccc HH:mm')).toBe('Mon 10:00');
      expect(local(e.end).toFormat('ccc HH:mm')).toBe('Mon 10:00');
    }
    // UTC times in the file: 09:00Z before the change, 08:00Z after.
    expect(text).toContain('DTSTART:20260323T090000Z');
    expect(text).toContain('DTSTART:20260330T080000Z');
  });
});

describe('rotation pieces: overrides, swaps, one person', () => {
  const withEdits = rot({
    ...team,
    overrides: [{ role: 'primary', user: 'dave', from: '2026-03-04T12:00:00Z', to: '2026-03-05T12:00:00Z' }],
    swaps: [{ role: 'secondary', weeks: ['2026-03-09', '2026-03-16'] }],
  });
  const from = berlin('2026-03-02T10:00');
  const to = berlin('2026-03-23T10:00');

  it('cuts a week where an override starts and ends, and marks swapped weeks', () => {
    const pieces = roleShifts(withEdits, from, to);
    const primary = pieces.filter((p) => p.role === 'primary');
    expect(primary.map((p) => [p.user, p.via])).toEqual([
      ['alice', 'roster'],
      ['dave', 'override'],
      ['alice', 'roster'],
      ['bob', 'roster'],
      ['carol', 'roster'],
    ]);
    const secondary = pieces.filter((p) => p.role === 'secondary');
    expect(secondary.map((p) => [p.user, p.via])).toEqual([
      ['bob', 'roster'],
      ['alice', 'swap'],
      ['carol', 'swap'],
    ]);
    // Each role tiles the range, and agrees with whoIsOnCall everywhere.
    for (const role of ['primary', 'secondary'] as const) {
      const rs = pieces.filter((p) => p.role === role);
      expect(rs[0]?.startMs).toBe(from);
      expect(rs[rs.length - 1]?.endMs).toBe(to);
      for (let i = 1; i < rs.length; i++) expect(rs[i]?.startMs).toBe(rs[i - 1]?.endMs);
      for (const p of rs) expect(whoIsOnCall(withEdits, p.startMs)[role]).toBe(p.user);
    }
  });

  it('?user= keeps only that person’s events; UIDs are stable between builds', () => {
    const all = parseIcs(rotationIcs(withEdits, from, to, { generatedAtMs: 1 })).events;
    const again = parseIcs(rotationIcs(withEdits, from, to, { generatedAtMs: 2 })).events;
    expect(again.map((e) => e.uid)).toEqual(all.map((e) => e.uid));
    expect(new Set(all.map((e) => e.uid)).size).toBe(all.length);
    const dave = parseIcs(rotationIcs(withEdits, from, to, { generatedAtMs: 1, user: 'dave' })).events;
    expect(dave).toHaveLength(1);
    expect(dave[0]).toMatchObject({ summary: 'dave (primary)', category: 'primary' });
    expect(dave[0]?.uid).toBe(shiftUid({ startMs: Date.parse('2026-03-04T12:00:00Z'), role: 'primary' }));
    const bob = parseIcs(rotationIcs(withEdits, from, to, { generatedAtMs: 1, user: 'bob' })).events;
    expect(bob.map((e) => e.uid)).toEqual(all.filter((e) => e.summary.startsWith('bob ')).map((e) => e.uid));
    expect(parseIcs(rotationIcs(withEdits, from, to, { generatedAtMs: 1, user: 'nobody' })).events).toEqual([]);
  });
});

describe('GET /v1/rotation.ics query', () => {
  const bad = (q: string) => {
    try {
      parseIcsQuery(new URLSearchParams(q));
    } catch (err) {
      if (err instanceof HttpError) return { status: err.status, field: err.field };
      throw err;
    }
    return undefined;
  };
  it('defaults to 26 weeks and takes a user', () => {
    expect(parseIcsQuery(new URLSearchParams(''))).toEqual({ weeks: 26 });
    expect(parseIcsQuery(new URLSearchParams('weeks=3&user=alice'))).toEqual({ weeks: 3, user: 'alice' });
  });
  it('answers 400 naming the field for bad values', () => {
    for (const q of ['weeks=0', 'weeks=-1', 'weeks=abc', 'weeks=1.5', 'weeks=105', 'weeks=']) {
      expect(bad(q), q).toEqual({ status: 400, field: 'weeks' });
    }
    for (const q of ['user=', `user=${'x'.repeat(201)}`, 'user=a%0Ab', 'user=%E2%80%AEevil']) {
      expect(bad(q), q).toEqual({ status: 400, field: 'user' });
    }
  });
});

describe('remove-override command frame', () => {
  const base = { type: 'command', id: 'c1', kind: 'remove-override' } as const;
  it('carries overrideId and nothing else', () => {
    expect(CommandFrame.safeParse({ ...base, overrideId: 'o1' }).success).toBe(true);
    const missing = CommandFrame.safeParse(base);
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(['overrideId']);
    expect(CommandFrame.safeParse({ ...base, overrideId: 'o1', alertId: 'a1' }).success).toBe(false);
    expect(CommandFrame.safeParse({ ...base, overrideId: 'o1', silenceId: 's1' }).success).toBe(false);
    expect(CommandFrame.safeParse({ ...base, overrideId: 'x'.repeat(101) }).success).toBe(false);
    // And an override carries no overrideId.
    const o = { role: 'primary', user: 'a', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' };
    expect(CommandFrame.safeParse({ ...base, kind: 'override', override: o, overrideId: 'o1' }).success).toBe(false);
  });
});

function cachedOf(r: RotationConfig, stored: StoredOverride[] = []): CachedRotation {
  const desktop = stored.map(({ role, user, from, to }) => ({ role, user, from, to }));
  return {
    view: {
      rotation: { ...r, overrides: [...r.overrides, ...desktop] },
      overrides: stored,
      shifts: [],
      generatedAt: '2026-03-01T00:00:00.000Z',
    },
    syncedAt: '2026-03-01T00:00:00.000Z',
  };
}

describe('calendar view model', () => {
  const now = berlin('2026-03-25T12:00'); // Wednesday, week of alice (primary) / bob (secondary)
  const stored: StoredOverride = {
    commandId: 'c1',
    role: 'primary',
    user: 'carol',
    from: '2026-03-26T09:00:00.000Z',
    to: '2026-03-26T17:00:00.000Z',
    by: 'bob',
    at: '2026-03-20T00:00:00.000Z',
  };

  it('the top bar: "You are primary until Mon 10:00" and "Next shift: … from …" in the viewer’s zone', () => {
    const cached = cachedOf(team);
    expect(whoIsOnCall(team, now)).toEqual({ primary: 'alice', secondary: 'bob' });
    expect(myShiftLine(cached, 'alice', now, BERLIN)).toEqual({
      text: 'You are primary until Mon 10:00',
      current: true,
    });
    // Across the DST change the handoff stays 10:00 Berlin; a New York viewer sees their own time.
    expect(myShiftLine(cached, 'carol', now, BERLIN)?.text).toBe('Next shift: secondary from Mon 10:00');
    expect(myShiftLine(cached, 'carol', now, 'America/New_York')?.text).toBe('Next shift: secondary from Mon 04:00');
    expect(myShiftLine(cached, 'zoe', now, BERLIN)).toBeNull();
    expect(myShiftLine(null, 'alice', now, BERLIN)).toBeNull();
  });

  it('names the holder with the role they hold now', () => {
    const cached = cachedOf(team);
    expect(holderLabel('alice', cached, now)).toEqual({ name: 'alice', role: 'primary' });
    expect(holderLabel('secondary', cached, now)).toEqual({ name: 'bob', role: 'secondary' });
    expect(holderLabel('dana', cached, now)).toEqual({ name: 'dana' });
    expect(holderLabel('primary', null, now)).toEqual({ name: 'primary' });
  });

  it('marks overrides with who made them, pending ones from the outbox, and hides pending removals', () => {
    const cached = cachedOf(team, [stored]);
    const week = weekDays(now, BERLIN);
    const range = [week[0]?.startMs ?? 0, week[6]?.endMs ?? 0] as const;
    const pieces = calendarPieces(previewRotation(cached, []) ?? fail(), ...range);
    const carol = pieces.find((p) => p.user === 'carol' && p.via === 'override');
    expect(carol && [pieceKind(carol), pieceBy(carol)]).toEqual(['override', 'bob']);

    const pendingOverride: RotationChange = {
      id: 'p1',
      kind: 'override',
      state: 'queued',
      createdAt: '2026-03-25T11:00:00.000Z',
      override: { role: 'secondary', user: 'dave', from: '2026-03-27T09:00:00.000Z', to: '2026-03-27T18:00:00.000Z' },
    };
    const removal: RotationChange = {
      id: 'r1',
      kind: 'remove-override',
      state: 'sent',
      createdAt: '2026-03-25T11:00:00.000Z',
      overrideId: 'c1',
    };
    const refused: RotationChange = { ...pendingOverride, id: 'p2', state: 'conflict', detail: 'x' };
    const preview = previewRotation(cached, [pendingOverride, removal, refused]) ?? fail();
    const after = calendarPieces(preview, ...range);
    expect(after.some((p) => p.user === 'carol' && p.via === 'override')).toBe(false);
    const dave = after.filter((p) => p.user === 'dave');
    expect(dave).toHaveLength(1);
    expect(dave[0] && pieceKind(dave[0])).toBe('pending');
  });

  it('lays out weeks and months in the viewer’s zone, Monday first', () => {
    const week = weekDays(now, BERLIN);
    expect(week.map((d) => d.label)).toEqual([
      'Mon 23 Mar',
      'Tue 24 Mar',
      'Wed 25 Mar',
      'Thu 26 Mar',
      'Fri 27 Mar',
      'Sat 28 Mar',
      'Sun 29 Mar',
    ]);
    // The DST Sunday is 23 hours long in Berlin.
    expect(((week[6]?.endMs ?? 0) - (week[6]?.startMs ?? 0)) / HOUR).toBe(23);
    const month = monthDays(now, BERLIN);
    expect(month.length % 7).toBe(0);
    expect(month.filter((d) => d.inMonth)).toHaveLength(31);
  });
});

function fail(): never {
  throw new Error('expected a value');
}
