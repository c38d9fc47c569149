import { describe, expect, it } from 'vitest';
import {
  formatAgo,
  formatClock,
  formatClockShort,
  formatCountdown,
  formatDuration,
  formatStamp,
  secondsUntil,
} from '../../renderer/src/lib/time';
import { formatModel, formatServiceLine, labelPairs } from '../../renderer/src/lib/labels';
import { describeTimelineEntry, sortTimeline } from '../../renderer/src/lib/timeline';
import { backoffDelay, bridgeUrl, tokenFromHash } from '../../renderer/src/lib/bridge-url';

const T0 = Date.parse('2025-03-04T03:00:00Z');
const s = 1000;
const m = 60 * s;
const h = 60 * m;

describe('formatAgo', () => {
  it.each([
    [0, 'just now'],
    [999, 'just now'],
    [1 * s, '1s ago'],
    [59 * s, '59s ago'],
    [60 * s, '1m ago'],
    [3 * m + 59 * s, '3m ago'],
    [59 * m, '59m ago'],
    [1 * h, '1h ago'],
    [2 * h + 5 * m, '2h 5m ago'],
    [14 * h, '14h ago'],
    [3 * 24 * h + 1, '3d ago'],
  ])('%i ms → %s', (age, text) => {
    expect(formatAgo(T0 - age, T0)).toBe(text);
  });

  it('reads a time slightly in the future as "just now", never negative', () => {
    expect(formatAgo(T0 + 5 * s, T0)).toBe('just now');
  });

  it('does not crash on an unparseable time', () => {
    expect(formatAgo(Number.NaN, T0)).toBe('—');
  });
});

describe('formatDuration', () => {
  it.each([
    [-5, '0s'],
    [45 * s, '45s'],
    [14 * m, '14m'],
    [2 * h, '2h'],
    [2 * h + 5 * m, '2h 5m'],
    [3 * 24 * h, '3d'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatCountdown', () => {
  it.each([
    [0, '0:00'],
    [-10 * s, '0:00'],
    [1, '0:01'],
    [4 * m + 5 * s, '4:05'],
    [26 * m + 59 * s + 1, '27:00'],
    [h + 2 * m + 3 * s, '1:02:03'],
  ])('%i ms → %s', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });
});

describe('secondsUntil', () => {
  it('rounds up and never goes negative', () => {
    expect(secondsUntil(T0 + 7_200, T0)).toBe(8);
    expect(secondsUntil(T0 + 8_000, T0)).toBe(8);
    expect(secondsUntil(T0 - 1_000, T0)).toBe(0);
  });
});

describe('clock formats', () => {
  it('uses a 24-hour clock in the given zone', () => {
    expect(formatClock(Date.parse('2025-03-04T15:04:05Z'), 'UTC')).toBe('15:04:05');
    expect(formatClockShort(Date.parse('2025-03-04T00:09:59Z'), 'UTC')).toBe('00:09');
    expect(formatClock(Date.parse('2025-03-04T15:04:05Z'), 'Europe/Berlin')).toBe('16:04:05');
  });

  it('formatStamp adds the date only when it is not today', () => {
    const now = Date.parse('2025-03-04T12:00:00Z');
    expect(formatStamp(Date.parse('2025-03-04T03:14:22Z'), now, 'UTC')).toBe('03:14:22');
    expect(formatStamp(Date.parse('2025-03-03T23:59:00Z'), now, 'UTC')).toBe('Mon 3 Mar 23:59:00');
    expect(formatStamp(Date.parse('2024-12-31T08:00:00Z'), now, 'UTC')).toBe('Tue 31 Dec 2024 08:00:00');
  });
});

describe('labels', () => {
  it('formats provider/model with whichever half exists', () => {
    expect(formatModel({ provider: 'openai', model: 'gpt-4o' })).toBe('openai/gpt-4o');
    expect(formatModel({ provider: 'openai' })).toBe('openai');
    expect(formatModel({ model: 'gpt-4o' })).toBe('gpt-4o');
    expect(formatModel({})).toBeNull();
  });

  it('joins service and model, skipping what is missing', () => {
    expect(formatServiceLine({ service: 'checkout', provider: 'openai', model: 'gpt-4o' })).toBe(
      'checkout · openai/gpt-4o',
    );
    expect(formatServiceLine({ service: 'checkout' })).toBe('checkout');
    expect(formatServiceLine({ model: 'gpt-4o' })).toBe('gpt-4o');
    expect(formatServiceLine({ region: 'eu' })).toBe('');
  });

  it('lists primary labels first, then the rest alphabetically, without empty values', () => {
    expect(labelPairs({ zone: 'b', model: 'm', service: 's', alpha: 'a', empty: '' })).toEqual([
      ['service', 's'],
      ['model', 'm'],
      ['alpha', 'a'],
      ['zone', 'b'],
    ]);
  });
});

describe('timeline', () => {
  it('describes entries in plain words', () => {
    const at = '2025-03-04T03:00:00Z';
    expect(describeTimelineEntry({ seq: 1, at, kind: 'fired' })).toBe('Fired');
    expect(describeTimelineEntry({ seq: 2, at, kind: 'acknowledged', actor: 'alice' })).toBe('Acknowledged by alice');
    expect(describeTimelineEntry({ seq: 3, at, kind: 'escalated' })).toBe('Escalated');
    expect(describeTimelineEntry({ seq: 4, at, kind: 'mitigated', actor: 'bob' })).toBe('Marked mitigated by bob');
    // The actor of a notification is the collector; the person paged is named in the note.
    expect(
      describeTimelineEntry({ seq: 5, at, kind: 'notified', actor: 'collector', note: 'paged: carol (level 1)' }),
    ).toBe('Notification sent');
  });

  it('sorts by sequence, the collector order', () => {
    const at = '2025-03-04T03:00:00Z';
    const sorted = sortTimeline([
      { seq: 3, at, kind: 'resolved' },
      { seq: 1, at, kind: 'fired' },
      { seq: 2, at, kind: 'acknowledged' },
    ]);
    expect(sorted.map((e) => e.seq)).toEqual([1, 2, 3]);
  });
});

describe('bridge url', () => {
  it('reads the token from the fragment', () => {
    expect(tokenFromHash('#token=abc123')).toBe('abc123');
    expect(tokenFromHash('token=abc123&x=1')).toBe('abc123');
    expect(tokenFromHash('#x=1')).toBeNull();
    expect(tokenFromHash('#token=')).toBeNull();
    expect(tokenFromHash('')).toBeNull();
  });

  it('builds ws:// or wss:// on the page host, with the token escaped', () => {
    expect(bridgeUrl({ protocol: 'http:', host: '127.0.0.1:5173' }, 'a b')).toBe(
      'ws://127.0.0.1:5173/bridge?token=a%20b',
    );
    expect(bridgeUrl({ protocol: 'https:', host: 'vigil.local' }, 't')).toBe('wss://vigil.local/bridge?token=t');
  });

  it('backs off exponentially to a 10 s cap, with jitter below the base', () => {
    const noJitter = () => 0;
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelay(a, noJitter))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000,
    ]);
    expect(backoffDelay(3, () => 1)).toBe(3200);
  });
});
