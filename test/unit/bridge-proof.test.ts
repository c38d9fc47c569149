import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ProofQuery, proofEquals } from '../../shared/api/bridge-proof';
import { computeProof, newProofNonce, verifyProof } from '../../renderer/src/lib/bridge-proof';
import { describeZodError } from '../../shared/protocol/errors';
import { BridgeClient } from '../../renderer/src/api/bridge';
import { proveHost, type ProofOutcome } from '../../renderer/src/api/host-proof';
import type { Timers } from '../../renderer/src/lib/coalesce';
import { describeConnection, type TransportState } from '../../renderer/src/lib/connection';
import { FakeSocket } from '../fixtures/fake-socket';

const TOKEN = 'tok-0123456789abcdef-0123456789abcdef';

describe('bridge proof', () => {
  it('WebCrypto HMAC equals the host computation (node:crypto)', async () => {
    const nonce = newProofNonce();
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const expected = createHmac('sha256', TOKEN).update(nonce).digest('base64url');
    await expect(computeProof(TOKEN, nonce)).resolves.toBe(expected);
  });

  it('verifies only a well-formed proof for this token and nonce', async () => {
    const nonce = newProofNonce();
    const good = await computeProof(TOKEN, nonce);
    await expect(verifyProof(TOKEN, nonce, { proof: good })).resolves.toBe(true);
    await expect(verifyProof(TOKEN, nonce, { proof: await computeProof('other-token', nonce) })).resolves.toBe(false);
    await expect(verifyProof(TOKEN, newProofNonce(), { proof: good })).resolves.toBe(false);
    await expect(verifyProof(TOKEN, nonce, { proof: good, extra: 1 })).resolves.toBe(false);
    await expect(verifyProof(TOKEN, nonce, { proof: 'short' })).resolves.toBe(false);
    await expect(verifyProof(TOKEN, nonce, 'not an object')).resolves.toBe(false);
    expect(proofEquals('abc', 'abd')).toBe(false);
    expect(proofEquals('abc', 'abc')).toBe(true);
  });

  it.each([
    ['missing', {}],
    ['too short', { nonce: 'a'.repeat(42) }],
    ['too long', { nonce: 'a'.repeat(129) }],
    ['not base64url', { nonce: '+'.repeat(43) }],
  ])('refuses a %s nonce, naming the field', (_label, query) => {
    const parsed = ProofQuery.safeParse(query);
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(describeZodError(parsed.error).field).toBe('nonce');
  });

  it('proveHost sends no token and accepts only the right proof', async () => {
    const urls: string[] = [];
    const honest: typeof fetch = async (input) => {
      const url = new URL(String(input));
      urls.push(url.href);
      const proof = createHmac('sha256', TOKEN).update(url.searchParams.get('nonce')!).digest('base64url');
      return new Response(JSON.stringify({ proof }), { status: 200 });
    };
    const liar: typeof fetch = async () => new Response(JSON.stringify({ proof: 'A'.repeat(43) }), { status: 200 });
    const broken: typeof fetch = async () => Promise.reject(new Error('refused'));
    await expect(proveHost('http://127.0.0.1:1', TOKEN, honest)).resolves.toBe('proven');
    await expect(proveHost('http://127.0.0.1:1', TOKEN, liar)).resolves.toBe('refuted');
    await expect(proveHost('http://127.0.0.1:1', TOKEN, broken)).resolves.toBe('unreachable');
    expect(urls[0]).toMatch(/^http:\/\/127\.0\.0\.1:1\/bridge\/proof\?nonce=[A-Za-z0-9_-]{43}$/);
    expect(urls.join()).not.toContain(TOKEN);
  });
});

describe('BridgeClient reconnect proof', () => {
  it('opens the first socket without a proof, then never reconnects to an address that cannot prove', async () => {
    const sockets: FakeSocket[] = [];
    const timers: Array<{ fn: () => void; ms: number }> = [];
    const fakeTimers: Timers = { setTimeout: (fn, ms) => timers.push({ fn, ms }), clearTimeout: () => {} };
    let proofs = 0;
    let outcome: ProofOutcome = 'unreachable';
    const client = new BridgeClient({
      url: 'ws://127.0.0.1:1/bridge?token=t',
      createSocket: (url) => {
        const s = new FakeSocket(url);
        sockets.push(s);
        return s as unknown as WebSocket;
      },
      timers: fakeTimers,
      clock: { now: () => 1_000_000 },
      random: () => 0,
      proveHost: async () => {
        proofs++;
        return outcome;
      },
    });
    const states: TransportState[] = [];
    client.onState((s) => states.push(s));
    client.start();
    expect(proofs).toBe(0);
    expect(sockets).toHaveLength(1);
    sockets[0]!.open();
    sockets[0]!.drop();
    expect(states.at(-1)?.kind).toBe('down');

    // Nothing listens yet: still just "down", and no socket (no token) goes out.
    timers.shift()!.fn();
    await new Promise((r) => setTimeout(r, 0));
    expect(proofs).toBe(1);
    expect(sockets).toHaveLength(1);
    expect(states.at(-1)?.kind).toBe('down');

    // Something else answers, with a wrong proof: no socket, and the page says why.
    outcome = 'refuted';
    // The retry fires: the proof fails, so no socket (no token) goes out; the page says why.
    timers.shift()!.fn();
    await new Promise((r) => setTimeout(r, 0));
    expect(proofs).toBe(2);
    expect(sockets).toHaveLength(1);
    const state = states.at(-1)!;
    expect(state).toMatchObject({ kind: 'impostor', nextRetryAt: expect.any(Number) });
    expect(describeConnection(state, null, 1_000_000).parts[0]).toBe(
      "the address now answers without our token: reload from the terminal's URL",
    );
    await expect(client.call('status.get', {})).rejects.toMatchObject({ code: 'unavailable' });
    expect(timers[0]!.ms).toBeGreaterThan(500); // backoff grows

    // Later the real host is back: the proof passes and the socket opens.
    outcome = 'proven';
    timers.shift()!.fn();
    await new Promise((r) => setTimeout(r, 0));
    expect(proofs).toBe(3);
    expect(sockets).toHaveLength(2);
    sockets[1]!.open();
    expect(states.at(-1)).toEqual({ kind: 'ready' });
    client.dispose();
  });
});
