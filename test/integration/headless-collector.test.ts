import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { minuteFloor } from '../../shared/clock.js';
import { AlertList, type Alert } from '../../shared/protocol/alert.js';
import { BridgeMessage, type ApiCall } from '../../shared/protocol/api.js';
import { errorBurst, postEvents, randomToken, startCollector, type CollectorHandle } from '../fixtures/collector.js';
import { startHeadless, type HeadlessHandle } from '../fixtures/headless.js';

/** The whole desktop path without Electron: collector → headless host (real processes) → bridge client. */
let collector: CollectorHandle;
let host: HeadlessHandle;
let ws: WebSocket;
const messages: BridgeMessage[] = [];
let nextId = 1;

function call(c: ApiCall): Promise<BridgeMessage> {
  const id = nextId++;
  ws.send(JSON.stringify({ type: 'call', id, call: c }));
  return waitFor((m) => m.type === 'reply' && m.id === id);
}

async function waitFor(pred: (m: BridgeMessage) => boolean, ms = 15_000): Promise<BridgeMessage> {
  const deadline = performance.now() + ms;
  for (;;) {
    const m = messages.find(pred);
    if (m) return m;
    if (performance.now() > deadline) throw new Error('timed out waiting for a bridge message');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  // base64url tokens start with '-' one time in 64; every process boundary must pass them as
  // `--opt=value` (`--opt -x…` reads as another option): this run always has one.
  collector = await startCollector({ token: `-${randomToken()}` });
  host = await startHeadless({ collectorUrl: collector.url, collectorToken: collector.token, user: 'carol' });
  ws = new WebSocket(host.bridgeUrl, { origin: host.origin });
  ws.on('message', (d) => messages.push(BridgeMessage.parse(JSON.parse(d.toString()))));
  await new Promise((r) => ws.once('open', r));
});

afterAll(async () => {
  ws?.close();
  await host?.stop();
  await collector?.stop();
});

describe('headless host with the real collector', () => {
  it('shows a fired alert and relays an ack, pushing the outcome', async () => {
    const events = errorBurst({
      service: 'summarizer',
      provider: 'anthropic',
      model: 'claude',
      startMs: minuteFloor(Date.now()) - 15 * 60_000,
      minutes: 15,
      perMinute: 100,
      errorRate: 0.3,
    });
    expect((await postEvents(collector.url, collector.token, events)).status).toBeLessThan(300);
    await waitFor((m) => m.type === 'push' && m.push.type === 'alerts-changed');

    const list = await call({ method: 'alerts.list', params: { status: 'firing' } });
    const alerts = (list.type === 'reply' && list.ok ? list.result : []) as Alert[];
    const page = alerts.find((a) => a.tier === 'page');
    if (!page) throw new Error('no firing page');

    const reply = await call({ method: 'alerts.command', params: { kind: 'ack', alertId: page.id } });
    expect(reply).toMatchObject({ ok: true });
    await waitFor((m) => m.type === 'push' && m.push.type === 'outbox-changed' && m.push.item.state === 'applied');

    const res = await fetch(`${collector.url}/v1/alerts`, { headers: { authorization: `Bearer ${collector.token}` } });
    const onCollector = AlertList.parse(await res.json()).alerts.find((a) => a.id === page.id);
    expect(onCollector?.acknowledgedBy).toBe('carol');
  });
});
