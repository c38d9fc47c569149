import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES } from '../../electron/collector/stream/stream-hub.js';
import { CLIENT_FRAME_BURST, ClientFrame } from '../../shared/protocol/stream.js';
import { connectStream, randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';

/**
 * Review of issue 11, finding 9: a client frame could be 256 KiB, and a connection's inbox holds
 * up to CLIENT_FRAME_BURST admitted frames, about 50 MiB per authenticated connection. Frames are
 * now capped near the largest legitimate one.
 */
let c: CollectorHandle;
beforeAll(async () => {
  c = await startCollector({ token: randomToken() });
});
afterAll(async () => {
  await c.stop();
});

/**
 * The largest command the protocol admits: every string at its schema maximum, in the characters
 * that cost most on the wire (a control character is escaped as \u00XX, 6 bytes; a name may not
 * hold one, so it gets 3-byte characters).
 */
function largestCommand(): Record<string, unknown> {
  const escaped = (n: number): string => '\u0001'.repeat(n);
  return {
    type: 'command',
    id: escaped(100),
    kind: 'ack',
    alertId: escaped(200),
    note: escaped(5000),
    until: '2026-01-01T00:00:00.000000000+14:00',
    override: {
      role: 'secondary',
      user: '€'.repeat(200),
      from: '2026-01-01T00:00:00.000000000+14:00',
      to: '2026-01-02T00:00:00.000000000+14:00',
    },
  };
}

describe('client frame size', () => {
  it('the largest legitimate command fits, with room to spare', async () => {
    const frame = largestCommand();
    expect(ClientFrame.safeParse(frame).success).toBe(true);
    const bytes = Buffer.byteLength(JSON.stringify(frame));
    console.log(
      `[door] largest legitimate client frame: ${bytes} bytes; MAX_FRAME_BYTES ${MAX_FRAME_BYTES}; ` +
        `inbox bound ${CLIENT_FRAME_BURST} × ${MAX_FRAME_BYTES} = ${((CLIENT_FRAME_BURST * MAX_FRAME_BYTES) / 1024 / 1024).toFixed(1)} MiB ` +
        `(was ${((CLIENT_FRAME_BURST * 256 * 1024) / 1024 / 1024).toFixed(1)} MiB)`,
    );
    expect(bytes).toBeLessThan(MAX_FRAME_BYTES * 0.6);

    const s = await connectStream(c.url, c.token, { user: 'big-frames' });
    try {
      s.send(frame);
      const answer = await s.waitFor((f) => f.type === 'result' || f.type === 'error', 10_000);
      expect(answer.type).toBe('result');
    } finally {
      await s.close();
    }
  });

  it('a frame over the limit (100 KB, accepted before) closes the connection with 1009', async () => {
    const s = await connectStream(c.url, c.token, { user: 'too-big' });
    s.sendRaw(JSON.stringify({ type: 'pong', t: 1, pad: 'x'.repeat(100 * 1024) }));
    const closed = await Promise.race([s.closed(), new Promise<'open'>((r) => setTimeout(() => r('open'), 10_000))]);
    expect(closed).not.toBe('open');
    expect(closed === 'open' ? 0 : closed.code).toBe(1009);
    // The collector is fine and serves the next connection.
    const next = await connectStream(c.url, c.token, { user: 'after' });
    expect(next.frames.some((f) => f.type === 'welcome')).toBe(true);
    await next.close();
  });
});
