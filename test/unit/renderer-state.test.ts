import { describe, expect, it } from 'vitest';
import type { Alert, OutboxItem, SyncStatus } from '../../shared/protocol';
import {
  availableCommands,
  countByView,
  filterByView,
  moveCursor,
  sortNewestFirst,
} from '../../renderer/src/lib/alerts';
import { describeOutboxItem, inFlightKinds, noticesForAlert, upsertOutboxItem } from '../../renderer/src/lib/outbox';
import { describeConnection, describePending } from '../../renderer/src/lib/connection';
import { createCoalescer, type Timers } from '../../renderer/src/lib/coalesce';

function alert(id: string, firedAt: string, over: Partial<Alert> = {}): Alert {
  return {
    id,
    ruleId: 'r',
    tier: 'page',
    status: 'firing',
    source: 'rules',
    summary: id,
    labels: {},
    firedAt,
    ...over,
  };
}

describe('inbox ordering and filtering', () => {
  const list = [
    alert('old', '2025-03-04T01:00:00Z'),
    alert('new', '2025-03-04T03:00:00Z'),
    alert('done', '2025-03-04T02:00:00Z', { status: 'resolved' }),
    alert('b', '2025-03-04T02:30:00Z', { status: 'acknowledged' }),
    alert('a', '2025-03-04T02:30:00Z', { status: 'snoozed' }),
  ];

  it('sorts newest first, ties by id so the order is stable', () => {
    expect(sortNewestFirst(list).map((a) => a.id)).toEqual(['new', 'a', 'b', 'done', 'old']);
  });

  it('does not mutate its input', () => {
    const copy = [...list];
    sortNewestFirst(list);
    expect(list).toEqual(copy);
  });

  it('open means anything not resolved (firing, pending, acknowledged, snoozed)', () => {
    expect(filterByView(list, 'open').map((a) => a.id)).toEqual(['old', 'new', 'b', 'a']);
    expect(filterByView(list, 'resolved').map((a) => a.id)).toEqual(['done']);
    expect(filterByView(list, 'all')).toHaveLength(5);
    expect(countByView(list)).toEqual({ open: 4, resolved: 1, all: 5 });
  });
});

describe('moveCursor', () => {
  const ids = ['a', 'b', 'c'];
  it('starts at the first row', () => {
    expect(moveCursor(ids, null, 1)).toBe('a');
    expect(moveCursor(ids, null, -1)).toBe('a');
    expect(moveCursor(ids, 'gone', 1)).toBe('a');
  });
  it('moves and clamps at both ends', () => {
    expect(moveCursor(ids, 'a', 1)).toBe('b');
    expect(moveCursor(ids, 'c', 1)).toBe('c');
    expect(moveCursor(ids, 'a', -1)).toBe('a');
    expect(moveCursor(ids, 'c', -1)).toBe('b');
  });
  it('is null on an empty list', () => {
    expect(moveCursor([], 'a', 1)).toBeNull();
  });
});

describe('availableCommands', () => {
  const at = '2025-03-04T01:00:00Z';
  it('offers ack xor unack, never both', () => {
    const firing = availableCommands(alert('x', at));
    expect(firing.has('ack')).toBe(true);
    expect(firing.has('unack')).toBe(false);
    const acked = availableCommands(alert('x', at, { status: 'acknowledged' }));
    expect(acked.has('ack')).toBe(false);
    expect(acked.has('unack')).toBe(true);
  });
  it('only allows comments on a resolved alert', () => {
    expect([...availableCommands(alert('x', at, { status: 'resolved' }))]).toEqual(['comment']);
  });
  it('does not offer mitigate twice', () => {
    expect(availableCommands(alert('x', at, { mitigatedAt: at })).has('mitigate')).toBe(false);
  });
});

describe('outbox notices', () => {
  const item = (over: Partial<OutboxItem>): OutboxItem => ({
    id: 'c1',
    kind: 'ack',
    alertId: 'a1',
    createdAt: '2025-03-04T01:00:00Z',
    state: 'queued',
    ...over,
  });

  it('names a conflict the way the user thinks of it', () => {
    expect(describeOutboxItem(item({ state: 'conflict', detail: 'alert is resolved' }), true)).toEqual({
      id: 'c1',
      tone: 'conflict',
      text: 'Ack not applied: alert is resolved',
    });
  });

  it('says a queued command waits for the network only when offline', () => {
    expect(describeOutboxItem(item({}), false)?.text).toBe('Ack queued: will be sent when back online');
    expect(describeOutboxItem(item({}), true)?.text).toBe('Ack sending…');
    expect(describeOutboxItem(item({ state: 'applied' }), true)).toBeNull();
  });

  it('upserts by id and keeps creation order', () => {
    const a = item({ id: 'a', createdAt: '2025-03-04T01:00:02Z' });
    const b = item({ id: 'b', createdAt: '2025-03-04T01:00:01Z' });
    let list = upsertOutboxItem([], a);
    list = upsertOutboxItem(list, b);
    expect(list.map((i) => i.id)).toEqual(['b', 'a']);
    list = upsertOutboxItem(list, { ...a, state: 'applied' });
    expect(list.map((i) => [i.id, i.state])).toEqual([
      ['b', 'queued'],
      ['a', 'applied'],
    ]);
  });

  it('filters notices per alert and skips dismissed ones', () => {
    const items = [item({ id: '1' }), item({ id: '2', alertId: 'other' }), item({ id: '3', state: 'failed' })];
    expect(noticesForAlert(items, 'a1', true, new Set(['3'])).map((n) => n.id)).toEqual(['1']);
    expect(inFlightKinds(items, 'a1')).toEqual(new Set(['ack']));
  });
});

describe('describeConnection', () => {
  const now = Date.parse('2025-03-04T03:20:00Z');
  const status = (over: Partial<SyncStatus>): SyncStatus => ({
    state: 'connected',
    user: 'alice',
    collectorUrl: 'http://127.0.0.1:7070',
    lastSeq: 10,
    since: '2025-03-04T03:08:00Z',
    serverOffsetMs: 0,
    pendingCommands: 0,
    ...over,
  });

  it('connected', () => {
    expect(describeConnection({ kind: 'ready' }, status({}), now, 'UTC')).toMatchObject({
      state: 'connected',
      parts: ['Connected'],
    });
  });

  it('a refusal says so, instead of a bare offline', () => {
    const v = describeConnection(
      { kind: 'ready' },
      status({
        state: 'offline',
        nextRetryAt: '2025-03-04T03:25:00Z',
        refusal: { code: 'forbidden', message: 'this token belongs to "bob"' },
      }),
      now,
      'UTC',
    );
    expect(v).toMatchObject({ state: 'offline', parts: ['Refused: this token is not yours', 'retrying in 300 s'] });
    expect(v.title).toContain('this token belongs to "bob"');
    // Once welcomed, the old refusal no longer colours the bar.
    expect(
      describeConnection({ kind: 'ready' }, status({ refusal: { code: 'forbidden', message: 'x' } }), now).parts,
    ).toEqual(['Connected']);
  });

  it('reconnecting in N s, with the data age', () => {
    const v = describeConnection(
      { kind: 'ready' },
      status({ state: 'connecting', nextRetryAt: '2025-03-04T03:20:04.200Z', lastSyncAt: '2025-03-04T03:19:00Z' }),
      now,
      'UTC',
    );
    expect(v.state).toBe('connecting');
    expect(v.parts).toEqual(['Reconnecting in 5 s', 'data 1m old']);
  });

  it('offline since HH:MM with the cached data age', () => {
    const v = describeConnection(
      { kind: 'ready' },
      status({ state: 'offline', since: '2025-03-04T03:08:00Z', lastSyncAt: '2025-03-04T03:06:00Z' }),
      now,
      'UTC',
    );
    expect(v).toMatchObject({ state: 'offline', source: 'collector', parts: ['Offline since 03:08', 'data 14m old'] });
  });

  it('a dropped bridge wins over the last known collector state', () => {
    const v = describeConnection(
      { kind: 'down', since: now - 60_000, nextRetryAt: now + 2_000 },
      status({}),
      now,
      'UTC',
    );
    expect(v).toMatchObject({
      state: 'offline',
      source: 'host',
      parts: ['Vigil host unreachable', 'retrying in 2 s', 'since 03:19'],
    });
  });

  it('is connecting before the first status arrives', () => {
    expect(describeConnection({ kind: 'ready' }, null, now).state).toBe('connecting');
    expect(describeConnection({ kind: 'no-token' }, null, now).parts).toEqual(['No access token']);
  });

  it('counts pending commands', () => {
    expect(describePending(0)).toBeNull();
    expect(describePending(1)).toBe('1 command waiting');
    expect(describePending(3)).toBe('3 commands waiting');
  });
});

describe('createCoalescer', () => {
  function fakeTimers() {
    const queue: Array<{ fn: () => void; ms: number } | null> = [];
    const timers: Timers = {
      setTimeout: (fn, ms) => queue.push({ fn, ms }) - 1,
      clearTimeout: (h) => {
        queue[h as number] = null;
      },
    };
    const flush = async () => {
      for (let i = 0; i < queue.length; i++) {
        const t = queue[i];
        queue[i] = null;
        t?.fn();
        await Promise.resolve();
        await Promise.resolve();
      }
    };
    return { timers, queue, flush };
  }

  it('collapses a burst into one run', async () => {
    const t = fakeTimers();
    let runs = 0;
    const c = createCoalescer(async () => void runs++, 150, t.timers);
    for (let i = 0; i < 50; i++) c.trigger();
    expect(t.queue.filter(Boolean)).toHaveLength(1);
    await t.flush();
    expect(runs).toBe(1);
  });

  it('a trigger during a run schedules exactly one more run', async () => {
    const t = fakeTimers();
    let runs = 0;
    let release: () => void = () => {};
    const c = createCoalescer(
      () =>
        new Promise<void>((resolve) => {
          runs++;
          release = resolve;
        }),
      150,
      t.timers,
    );
    c.trigger();
    t.queue[0]?.fn();
    t.queue[0] = null;
    expect(runs).toBe(1);
    c.trigger();
    c.trigger();
    expect(t.queue.filter(Boolean)).toHaveLength(0); // nothing overlaps the running fetch
    release();
    await Promise.resolve();
    await Promise.resolve();
    expect(t.queue.filter(Boolean)).toHaveLength(1);
  });

  it('keeps going after a failed run and stops after dispose', async () => {
    const t = fakeTimers();
    let runs = 0;
    const c = createCoalescer(
      async () => {
        runs++;
        throw new Error('boom');
      },
      150,
      t.timers,
    );
    c.trigger();
    await t.flush();
    c.trigger();
    await t.flush();
    expect(runs).toBe(2);
    c.trigger();
    c.dispose();
    await t.flush();
    expect(runs).toBe(2);
  });
});
