import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { toIso } from '../../shared/clock.js';
import { RotationView } from '../../shared/protocol/rotation.js';
import { ServerFrame, type ResultFrame } from '../../shared/protocol/stream.js';
import { startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { streamPeer } from '../fixtures/stream-peer.js';
import { authHeaders, until } from './sync-helpers.js';

/**
 * Review of issue 11, finding 7: overrides made from desktops are bounded — each one's span
 * (default 90 days) and lead time, how many are active at once, how many ended ones are kept —
 * and the person covering is a valid user name (no control, line-separator or bidi characters).
 * Through a real collector and its stream.
 */
const ROTATION = `
rotation:
  roster: [alice, bob, carol]
`;
const DAY = 86_400_000;

let collector: CollectorHandle | undefined;
afterEach(async () => {
  await collector?.stop();
  collector = undefined;
});

interface Peer {
  ws: WebSocket;
  frames: ServerFrame[];
  override(id: string, o: { user?: string; from: number; to: number }): void;
  result(id: string): Promise<ResultFrame>;
}

async function peer(c: CollectorHandle): Promise<Peer> {
  const { ws, frames } = await streamPeer(c, 'dana');
  return {
    ws,
    frames,
    override(id, o) {
      ws.send(
        JSON.stringify({
          type: 'command',
          id,
          kind: 'override',
          override: { role: 'primary', user: o.user ?? 'bob', from: toIso(o.from), to: toIso(o.to) },
        }),
      );
    },
    result: (id) =>
      until(() => frames.find((f): f is ResultFrame => f.type === 'result' && f.id === id), 5000, `result ${id}`),
  };
}

async function storedIds(c: CollectorHandle): Promise<string[]> {
  const res = await fetch(`${c.url}/v1/rotation`, { headers: authHeaders(c) });
  return RotationView.parse(await res.json()).overrides.map((o) => o.commandId);
}

describe('rotation overrides are bounded', () => {
  it('by default: at most 90 days long and starting at most a year ahead', async () => {
    collector = await startCollector({ configYaml: ROTATION });
    const p = await peer(collector);
    const now = Date.now();
    p.override('year-long', { from: now, to: now + 365 * DAY });
    p.override('far-future', { from: Date.parse('9999-01-01T00:00:00Z'), to: Date.parse('9999-01-02T00:00:00Z') });
    p.override('ninety-days', { from: now, to: now + 90 * DAY });
    expect(await p.result('year-long')).toMatchObject({ ok: false, error: expect.stringContaining('90 days') });
    expect(await p.result('far-future')).toMatchObject({
      ok: false,
      error: expect.stringContaining('rotationOverrides.maxLead'),
    });
    expect(await p.result('ninety-days')).toMatchObject({ ok: true });
    expect(await storedIds(collector)).toEqual(['ninety-days']);
    p.ws.terminate();
  });

  it('caps active overrides (a re-sent id still answers ok) and keeps at most maxEnded ended ones', async () => {
    collector = await startCollector({
      configYaml: `${ROTATION}rotationOverrides:\n  maxActive: 3\n  maxEnded: 2\n  maxDuration: 2d\n`,
    });
    const c = collector;
    const p = await peer(c);
    const now = Date.now();
    for (let i = 0; i < 3; i++) p.override(`active-${i}`, { from: now + i * 1000, to: now + DAY });
    for (let i = 0; i < 3; i++) expect(await p.result(`active-${i}`)).toMatchObject({ ok: true });
    p.override('one-too-many', { from: now, to: now + DAY });
    expect(await p.result('one-too-many')).toMatchObject({
      ok: false,
      error: expect.stringContaining('rotationOverrides.maxActive'),
    });
    p.override('too-long', { from: now, to: now + 3 * DAY });
    expect(await p.result('too-long')).toMatchObject({ ok: false, error: expect.stringContaining('2 days') });
    // Resending an applied id (its result was lost) is not a new override.
    p.frames.length = 0;
    p.override('active-0', { from: now, to: now + DAY });
    expect(await p.result('active-0')).toMatchObject({ ok: true });
    // Ended ones do not count as active, and only the 2 that ended last are kept.
    for (let i = 0; i < 4; i++) p.override(`ended-${i}`, { from: now - 10 * 60_000, to: now - (9 - i) * 60_000 });
    for (let i = 0; i < 4; i++) expect(await p.result(`ended-${i}`)).toMatchObject({ ok: true });
    expect((await storedIds(c)).sort()).toEqual(['active-0', 'active-1', 'active-2', 'ended-2', 'ended-3']);
    p.ws.terminate();
  });

  it('refuses a covering user with control, line-separator or bidi characters (a stream error naming the field)', async () => {
    collector = await startCollector({ configYaml: ROTATION });
    const p = await peer(collector);
    const now = Date.now();
    const bad = ['bob\n[collector] forged line', 'bob\u001b[31m', 'bob\u202egnp.exe', 'bob\u2028x', ''];
    bad.forEach((user, i) => p.override(`bad-${i}`, { user, from: now, to: now + DAY }));
    p.override('good', { user: 'Zoë O’Neil', from: now, to: now + DAY });
    expect(await p.result('good')).toMatchObject({ ok: true });
    const errors = p.frames.filter((f) => f.type === 'error');
    expect(errors).toHaveLength(bad.length);
    for (const e of errors)
      expect(e).toMatchObject({ code: 'invalid_field', message: expect.stringContaining('override.user') });
    expect(await storedIds(collector)).toEqual(['good']);
    p.ws.terminate();
  });

  it('a bad rotationOverrides config is refused at start, naming the key', async () => {
    await expect(startCollector({ configYaml: `${ROTATION}rotationOverrides:\n  maxActive: 0\n` })).rejects.toThrow(
      /rotationOverrides\.maxActive/,
    );
  });
});
