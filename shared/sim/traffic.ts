/**
 * The traffic generator: deterministic LLM request events and eval results for any span of
 * event time. Pure: no clock, no I/O. The CLI asks for "the events between the last tick and
 * now"; tests ask for a simulated week in one call and get the same events either way.
 */
import type { LlmEventInput } from '../protocol/events.js';
import { HOUR_MS, MINUTE_MS } from '../clock.js';
import { findPrice } from '../pricing/prices.js';
import { LATENCY_SIGMA, SERVICES, THROUGHPUT_SIGMA, modelProfile } from './catalog.js';
import type { ModelProfile, ServiceProfile } from './catalog.js';
import type { SimError } from './errors.js';
import {
  BASELINE_ERROR_RATE,
  CLIENT_TIMEOUT_MS,
  baselineError,
  connectionError,
  novelError,
  serverError,
  timeoutError,
} from './errors.js';
import type { EvalResultInput } from './evals.js';
import { binomial, normalPair, pickWeighted, poisson, rngFor, standardNormal } from './random.js';
import type { Rng, Weighted } from './random.js';
import { rhythmFactor } from './rhythm.js';
import { EFFECTS, SCENARIOS, SCENARIO_NAMES, matchesTarget } from './scenarios.js';
import type { ScenarioName, ScenarioSpec, ScenarioTarget, Subject } from './scenarios.js';

/** Total requests per second across all services at a weekday peak. */
export const DEFAULT_BASE_RATE_PER_SEC = 8;
export const DEFAULT_SEED = 1;

/** Independent random streams, so turning a scenario on never reshuffles the base traffic. */
const STREAM_BASE = 1;
const STREAM_EFFECT = 2;
const STREAM_EVAL = 100;

export interface ScenarioActivation {
  name: ScenarioName;
  /** Replaces the scenario's default target when given. */
  target?: ScenarioTarget;
  /** Event time (epoch ms) from which the scenario applies; omitted = to everything generated. */
  since?: number;
}

export interface ActiveScenario {
  name: ScenarioName;
  target: ScenarioTarget;
  since: number;
}

export interface ScenarioStatus extends ScenarioSpec {
  name: ScenarioName;
  active: boolean;
  /** The target in effect when active, else the default. */
  target: ScenarioTarget;
  since?: number;
}

export interface TrafficOptions {
  seed?: number;
  baseRatePerSec?: number;
  /** Minutes east of UTC of the users' local time, which sets the daily rhythm (default 0 = UTC). */
  tzOffsetMinutes?: number;
  scenarios?: readonly (ScenarioName | ScenarioActivation)[];
}

export interface TrafficBatch {
  /** Sorted by `ts` (epoch ms). */
  events: LlmEventInput[];
  /** Sorted by `ts` (epoch ms). */
  evals: EvalResultInput[];
}

export interface Traffic {
  readonly seed: number;
  readonly baseRatePerSec: number;
  /** Everything with fromMs <= ts < toMs. */
  generate(fromMs: number, toMs: number): TrafficBatch;
  setScenario(name: ScenarioName, on: boolean, opts?: { target?: ScenarioTarget; since?: number }): void;
  active(): ActiveScenario[];
  list(): ScenarioStatus[];
  /** Expected requests/s of one service at `tMs` before scenarios (for tests and status lines). */
  expectedRate(service: string, tMs: number): number;
}

/** Scenario flags resolved for one request. */
interface Effects {
  outage: boolean;
  latency: boolean;
  cost: boolean;
  drift: boolean;
  novel: boolean;
  spike: boolean;
  retrieval: boolean;
  feedback: boolean;
}

/** A model with its prices resolved once: a per-request table lookup showed up in profiles. */
interface PricedModel extends ModelProfile {
  inputPerTok: number;
  outputPerTok: number;
}

interface ServiceState {
  profile: ServiceProfile;
  models: Weighted<PricedModel>[];
  driftedLabels: Weighted<string>[];
}

function priced(model: string): PricedModel {
  const m = modelProfile(model);
  const price = findPrice(m.provider, m.model);
  if (!price) throw new Error(`simulated model ${m.provider}/${m.model} is missing from the price table`);
  return { ...m, inputPerTok: price.inputPerMTok / 1e6, outputPerTok: price.outputPerMTok / 1e6 };
}

const round = (x: number, digits: number): number => {
  const f = POW10[digits] ?? 10 ** digits;
  return Math.round(x * f) / f;
};
const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

function flatten(labels: readonly Weighted<string>[], exponent: number): Weighted<string>[] {
  return labels.map((l) => ({ value: l.value, weight: l.weight ** exponent }));
}

export function createTraffic(options: TrafficOptions = {}): Traffic {
  const seed = options.seed ?? DEFAULT_SEED;
  const baseRate = options.baseRatePerSec ?? DEFAULT_BASE_RATE_PER_SEC;
  const tz = options.tzOffsetMinutes ?? 0;
  if (!Number.isFinite(baseRate) || baseRate < 0) throw new RangeError('baseRatePerSec must be a finite number >= 0');
  const services: ServiceState[] = SERVICES.map((profile) => ({
    profile,
    models: profile.models.map((m) => ({ value: priced(m.value), weight: m.weight })),
    driftedLabels: flatten(profile.labels, EFFECTS.driftExponent),
  }));
  const active = new Map<ScenarioName, ActiveScenario>();

  function setScenario(name: ScenarioName, on: boolean, opts: { target?: ScenarioTarget; since?: number } = {}): void {
    if (!on) {
      active.delete(name);
      return;
    }
    active.set(name, {
      name,
      target: { ...(opts.target ?? SCENARIOS[name].defaultTarget) },
      since: opts.since ?? Number.NEGATIVE_INFINITY,
    });
  }
  for (const s of options.scenarios ?? []) {
    if (typeof s === 'string') setScenario(s, true);
    else
      setScenario(s.name, true, {
        ...(s.target ? { target: s.target } : {}),
        ...(s.since !== undefined ? { since: s.since } : {}),
      });
  }

  function on(name: ScenarioName, subject: Subject, ts: number): boolean {
    const a = active.get(name);
    return a !== undefined && ts >= a.since && matchesTarget(a.target, subject);
  }

  function effectsFor(subject: Subject, ts: number): Effects | undefined {
    if (active.size === 0) return undefined;
    return {
      outage: on('provider-outage', subject, ts),
      latency: on('latency-regression', subject, ts),
      cost: on('cost-bug', subject, ts),
      drift: on('output-drift', subject, ts),
      novel: on('novel-error', subject, ts),
      spike: on('error-spike', subject, ts),
      retrieval: on('retrieval-drop', subject, ts),
      feedback: on('negative-feedback', subject, ts),
    };
  }

  /**
   * One request. The base stream `rng` is always drawn exactly 16 times, whatever happens, so
   * the same seed yields the same base traffic with or without scenarios; scenario randomness
   * comes from `fx`.
   */
  function makeEvent(svc: ServiceState, slotStart: number, rng: Rng, fx: Rng): LlmEventInput {
    const p = svc.profile;
    const ts = slotStart + Math.floor(rng() * 1000);
    const mp = pickWeighted(svc.models, rng());
    // Box–Muller gives two independent normals per pair of uniforms; use both.
    const [zIn, zOut] = normalPair(rng(), rng());
    const [zLat, zTp] = normalPair(rng(), rng());
    const uErr = rng();
    const uErrKind = rng();
    const uLabel = rng();
    const uRetrieval = rng();
    const uFeedback = rng();
    const uDown = rng();

    const fxs = effectsFor({ service: p.service, provider: mp.provider, model: mp.model }, ts);
    const tokenFactor = fxs?.cost ? EFFECTS.costTokenFactor : 1;
    const inputTokens = Math.max(
      1,
      Math.round(p.inputTokens.median * Math.exp(p.inputTokens.sigma * zIn) * tokenFactor),
    );
    const outputTokens = Math.max(
      1,
      Math.round(p.outputTokens.median * Math.exp(p.outputTokens.sigma * zOut) * tokenFactor),
    );
    const prefillMs = mp.baseLatencyMs * Math.exp(LATENCY_SIGMA * zLat);
    const slow = fxs?.latency ? EFFECTS.latencyFactor : 1;
    let latency = (prefillMs + (outputTokens / (mp.tokensPerSec * Math.exp(THROUGHPUT_SIGMA * zTp))) * 1000) * slow;

    let err: SimError | undefined = uErr < BASELINE_ERROR_RATE ? baselineError(mp.provider, uErrKind) : undefined;
    if (fxs?.outage && fx() < EFFECTS.outageFailureRate) {
      const k = fx();
      err = k < 0.5 ? connectionError(fx()) : k < 0.8 ? serverError(mp.provider, fx()) : timeoutError();
    }
    if (fxs?.spike && fx() < EFFECTS.errorSpikeRate) err = serverError(mp.provider, fx());
    if (fxs?.novel && fx() < EFFECTS.novelErrorRate) err = novelError(fx);

    const retrievalHit =
      p.retrievalHitRate === undefined
        ? undefined
        : uRetrieval < (fxs?.retrieval ? EFFECTS.retrievalHitRate : p.retrievalHitRate);
    let label: string | undefined;
    let feedback: 'up' | 'down' | undefined;
    let billedOutput = outputTokens;
    if (err) {
      // How long a failure takes depends on where it failed; only a post-hoc validation
      // failure has a full (billed) generation behind it.
      if (err.type === 'timeout') latency = CLIENT_TIMEOUT_MS;
      else if (err.type === 'rate_limit') latency = prefillMs * 0.2;
      else if (err.type === 'connection_error') latency = 20 + uLabel * 2000;
      else if (err.type === 'server_error') latency = prefillMs;
      if (err.type !== 'validation_error') billedOutput = 0;
    } else {
      label = pickWeighted(fxs?.drift ? svc.driftedLabels : p.labels, uLabel);
      const fbRate = p.feedbackRate * (fxs?.feedback ? EFFECTS.feedbackRateFactor : 1);
      if (uFeedback < fbRate)
        feedback = uDown < (fxs?.feedback ? EFFECTS.negativeDownShare : p.downShare) ? 'down' : 'up';
    }
    const billed = err === undefined || err.type === 'validation_error';
    // One object shape for every event (absent fields are undefined, which JSON drops):
    // keeps property access monomorphic, which roughly halves generation time.
    const ev: LlmEventInput = {
      ts,
      service: p.service,
      provider: mp.provider,
      model: mp.model,
      latency_ms: Math.round(latency),
      input_tokens: inputTokens,
      output_tokens: billedOutput,
      cost_usd: billed ? round(inputTokens * mp.inputPerTok + billedOutput * mp.outputPerTok, 9) : 0,
      status: err ? 'error' : 'ok',
      error_type: err?.type,
      error_message: err?.message,
      output_label: label,
      retrieval_hit: retrievalHit,
      feedback,
    };
    return ev;
  }

  function generateEvents(fromMs: number, toMs: number, out: LlmEventInput[]): void {
    const firstSlot = Math.floor(fromMs / 1000);
    const endSlot = Math.ceil(toMs / 1000);
    const slotEvents: LlmEventInput[] = [];
    for (let slot = firstSlot; slot < endSlot; slot++) {
      const slotStart = slot * 1000;
      const rng = rngFor(seed, STREAM_BASE, slot);
      const fx = rngFor(seed, STREAM_EFFECT, slot);
      slotEvents.length = 0;
      for (const svc of services) {
        const lambda = baseRate * svc.profile.share * rhythmFactor(slotStart, tz, svc.profile.weekendFactor);
        const n = poisson(rng, lambda);
        for (let i = 0; i < n; i++) {
          const ev = makeEvent(svc, slotStart, rng, fx);
          slotEvents.push(ev);
          if (active.has('cost-bug')) addRetryLoop(ev, slotStart, fx, slotEvents);
        }
      }
      slotEvents.sort((a, b) => (a.ts as number) - (b.ts as number));
      for (const ev of slotEvents) {
        const ts = ev.ts as number;
        if (ts >= fromMs && ts < toMs) out.push(ev);
      }
    }
  }

  /**
   * cost-bug's retry loop: the same call repeated back to back. Repeats stay inside the
   * request's second so every event belongs to exactly one generated slot.
   */
  function addRetryLoop(ev: LlmEventInput, slotStart: number, fx: Rng, out: LlmEventInput[]): void {
    const ts = ev.ts as number;
    if (!on('cost-bug', { service: ev.service, provider: ev.provider, model: ev.model }, ts)) return;
    let last = ts;
    for (let i = 0; i < 12 && fx() < EFFECTS.costRepeatProbability; i++) {
      last = Math.min(slotStart + 999, last + 40 + Math.floor(fx() * 120));
      out.push({ ...ev, ts: last });
    }
  }

  function generateEvals(fromMs: number, toMs: number, out: EvalResultInput[]): void {
    services.forEach((svc, i) => {
      const { suite, baseAccuracy, total, minuteOfHour } = svc.profile.eval;
      const offset = minuteOfHour * MINUTE_MS;
      for (let h = Math.ceil((fromMs - offset) / HOUR_MS); h * HOUR_MS + offset < toMs; h++) {
        const ts = h * HOUR_MS + offset;
        const rng = rngFor(seed, STREAM_EVAL + i, h);
        const jitter = 0.01 * standardNormal(rng);
        const regressed = on('eval-regression', { service: svc.profile.service, provider: '', model: '', suite }, ts);
        const p = Math.min(0.999, Math.max(0, baseAccuracy + jitter - (regressed ? EFFECTS.evalAccuracyDrop : 0)));
        const passed = binomial(rng, total, p);
        out.push({ suite, ts, accuracy: round(passed / total, 4), passed, total });
      }
    });
    out.sort((a, b) => (a.ts as number) - (b.ts as number));
  }

  return {
    seed,
    baseRatePerSec: baseRate,
    generate(fromMs, toMs) {
      const events: LlmEventInput[] = [];
      const evals: EvalResultInput[] = [];
      if (toMs > fromMs) {
        generateEvents(fromMs, toMs, events);
        generateEvals(fromMs, toMs, evals);
      }
      return { events, evals };
    },
    setScenario,
    active: () => [...active.values()].map((a) => ({ ...a, target: { ...a.target } })),
    list: () =>
      SCENARIO_NAMES.map((name) => {
        const a = active.get(name);
        const spec = SCENARIOS[name];
        const status: ScenarioStatus = {
          name,
          ...spec,
          active: a !== undefined,
          target: { ...(a?.target ?? spec.defaultTarget) },
        };
        if (a && Number.isFinite(a.since)) status.since = a.since;
        return status;
      }),
    expectedRate(service, tMs) {
      const p = services.find((s) => s.profile.service === service)?.profile;
      return p ? baseRate * p.share * rhythmFactor(tMs, tz, p.weekendFactor) : 0;
    },
  };
}
