import { request } from 'node:http';
import { afterEach } from 'vitest';
import { HOUR_MS, MINUTE_MS, type Clock } from '../../shared/clock.js';
import { parseCollectorConfig, type CollectorConfigInput } from '../../shared/config/collector-config.js';
import { AlertList, type Alert } from '../../shared/protocol/alert.js';
import type { EvalResultInput } from '../../shared/protocol/evals.js';
import type { LlmEventInput } from '../../shared/protocol/events.js';
import { Collector } from '../../electron/collector/collector.js';
import { randomToken } from '../fixtures/collector.js';
import { removeDir, tempDir } from './detection-harness.js';

/**
 * The rule catalog through the whole in-process collector (HTTP routes, ingest, rollups, rule
 * runtime, alert service with escalation, SQLite file) on a fake clock that follows the event
 * time of what is posted: traffic is synthetic and deterministic, generated minute by minute.
 */

/** One minute of traffic: the events whose ts falls in [minute, minute + 1 min). */
export type MinuteTraffic = (minute: number) => LlmEventInput[];

/** Where the catalog cases start: Monday 2026-11-02 00:00 UTC. */
export const CATALOG_START = Date.UTC(2026, 10, 2);

export interface EventShape extends Partial<LlmEventInput> {
  service: string;
  provider: string;
  model: string;
}

/** `n` requests spread evenly over `minute`; `each(i)` varies request i (error, label, cost…). */
export function requests(
  minute: number,
  n: number,
  shape: EventShape,
  each: (i: number) => Partial<LlmEventInput> = () => ({}),
): LlmEventInput[] {
  const out: LlmEventInput[] = [];
  for (let i = 0; i < n; i++) {
    out.push({
      ts: minute + Math.floor((i * MINUTE_MS) / n),
      latency_ms: 900 + ((i * 37) % 200),
      input_tokens: 400,
      output_tokens: 120,
      status: 'ok',
      ...shape,
      ...each(i),
    });
  }
  return out;
}

/** Several traffic sources added together. */
export function mix(...sources: MinuteTraffic[]): MinuteTraffic {
  return (m) => sources.flatMap((s) => s(m));
}

/** Traffic only in [from, to). */
export const during =
  (from: number, to: number, t: MinuteTraffic): MinuteTraffic =>
  (m) =>
    m >= from && m < to ? t(m) : [];

/**
 * For a test file: `rig(config, start)` starts a CatalogRig (clock at `start`, by default
 * `defaultStart`); every rig a test started is disposed after it.
 */
export function rigsPerTest(
  defaultStart: number,
): (config?: CollectorConfigInput, start?: number) => Promise<CatalogRig> {
  const rigs: CatalogRig[] = [];
  afterEach(async () => {
    for (const r of rigs.splice(0)) await r.dispose();
  });
  return async (config = {}, start = defaultStart) => {
    const r = await CatalogRig.start(start, config);
    rigs.push(r);
    return r;
  };
}

export class CatalogRig {
  private now: number;
  private collector: Collector | undefined;
  private url = '';
  private readonly token = randomToken();
  readonly dir = tempDir('vigil-catalog-');

  private constructor(start: number) {
    this.now = start;
  }

  /** A collector with `config` (rule overrides) whose clock starts at `start`. */
  static async start(start: number, config: CollectorConfigInput = {}): Promise<CatalogRig> {
    const parsed = parseCollectorConfig(config);
    if (!parsed.ok) throw new Error(parsed.errors.join('\n'));
    const rig = new CatalogRig(start);
    const clock: Clock = { now: () => rig.now };
    rig.collector = new Collector({
      dataDir: rig.dir,
      host: '127.0.0.1',
      port: 0,
      token: rig.token,
      config: parsed.config,
      clock,
      log: () => undefined,
    });
    const { port } = await rig.collector.start();
    rig.url = `http://127.0.0.1:${port}`;
    return rig;
  }

  /**
   * Posts [from, to) of `traffic` in `chunkMs` batches (the wall clock moves to each batch's
   * end, so the data is live). Stops early when `until()` holds after a batch.
   */
  async feed(
    traffic: MinuteTraffic,
    from: number,
    to: number,
    chunkMs = HOUR_MS,
    until?: () => Promise<boolean>,
  ): Promise<void> {
    for (let t = from; t < to; t += chunkMs) {
      const end = Math.min(to, t + chunkMs);
      const events: LlmEventInput[] = [];
      for (let m = t; m < end; m += MINUTE_MS) events.push(...traffic(m));
      this.now = end;
      if (events.length > 0) {
        const res = await this.call('POST', '/v1/events', events);
        if (res.status !== 200) throw new Error(`POST /v1/events ${res.status}: ${res.text}`);
      }
      if (until && (await until())) return;
    }
  }

  /** Posts eval results (POST /v1/evals), judged as they land. */
  async evals(runs: EvalResultInput[]): Promise<void> {
    const last = runs[runs.length - 1];
    if (last && typeof last.ts === 'number' && last.ts > this.now) this.now = last.ts;
    const res = await this.call('POST', '/v1/evals', runs);
    if (res.status !== 200 && res.status !== 202) throw new Error(`POST /v1/evals ${res.status}: ${res.text}`);
  }

  /** GET /v1/alerts (validated against the wire schema), oldest first, optionally one rule's. */
  async alerts(ruleId?: string): Promise<Alert[]> {
    const res = await this.call('GET', '/v1/alerts');
    const { alerts } = AlertList.parse(JSON.parse(res.text));
    return alerts.filter((a) => ruleId === undefined || a.ruleId === ruleId).reverse();
  }

  /**
   * One request on a fresh connection (no keep-alive pool: a later rig may get the same port,
   * and a pooled socket to the disposed collector would fail the first request).
   */
  private call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; text: string }> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        `${this.url}${path}`,
        {
          method,
          agent: false,
          headers: {
            authorization: `Bearer ${this.token}`,
            ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
          },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (text += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  async dispose(): Promise<void> {
    await this.collector?.dispose();
    removeDir(this.dir);
  }
}

/** One line per alert, for readable failure messages. */
export function describeAlerts(alerts: readonly Alert[]): string {
  return alerts
    .map((a) => `${a.tier} ${a.ruleId} ${a.status} ${a.firedAt}→${a.resolvedAt ?? ''} ${a.summary}`)
    .join('\n');
}

/** Milliseconds between two ISO times (b - a). */
export function gapMs(a: string | undefined, b: string | undefined): number {
  return Date.parse(b ?? '') - Date.parse(a ?? '');
}
