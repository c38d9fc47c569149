/**
 * Many scopes, at the rollup level (issue 13): a fleet of services from a few requests a minute to
 * a few hundred, generated directly as one-minute buckets (what the collector's rollups hold), so a
 * simulated month of 30 services replays through the rule engine in seconds instead of hours of
 * per-event ingest. Quiet by default (0.5% background errors, steady mixes); the calendar (daily
 * rhythm, weekends, holidays), growth, a new service, a model migration and injected incidents are
 * options. Seeded and pure: the same options give the same buckets, minute by minute, in any
 * chunking.
 */
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';
import { emptyBucket, type MinuteBucket } from '../rollup/bucket.js';
import type { EvalResultInput } from '../protocol/evals.js';
import { binomial, logNormal, poisson, rngFor, standardNormal, type Rng } from './random.js';
import { dailyFactor, isWeekend } from './rhythm.js';
import { EFFECTS } from './scenarios.js';

export interface FleetService {
  service: string;
  provider: string;
  model: string;
  /** Requests per minute at the weekday peak, before growth. */
  peakPerMin: number;
  /** Whether requests carry retrieval_hit. */
  rag: boolean;
  /** Event time the service starts sending (a new service); default: always. */
  since?: number;
}

/** Traffic moving from one model to another over `overMs`, starting `at`. */
export interface FleetMigration {
  service: string;
  toModel: string;
  at: number;
  overMs: number;
}

/**
 * An injected incident on one service (or every service of one provider, or one eval suite) in
 * [since, until). The effects are the per-event simulator's (shared/sim/scenarios.ts EFFECTS)
 * unless `rate` says otherwise.
 */
export interface FleetIncident {
  kind: 'errors' | 'outage' | 'retrieval' | 'feedback' | 'latency' | 'cost' | 'drift' | 'eval';
  service?: string;
  provider?: string;
  /** eval: the suite whose runs regress. */
  suite?: string;
  since: number;
  until: number;
  /**
   * errors/outage: failing share (outage failures are connection errors); retrieval: hit rate;
   * feedback: thumbs-down share (and, as in the per-event simulator, twice as many requests rated);
   * latency: latency factor; cost: cost factor; drift: exponent the output mix is raised to (< 1
   * flattens it); eval: accuracy drop.
   */
  rate: number;
}

/** An eval suite run hourly at `minuteOfHour` over `total` items. */
export interface FleetEvalSuite {
  suite: string;
  baseAccuracy: number;
  total: number;
  minuteOfHour: number;
}

export interface FleetOptions {
  seed: number;
  services: readonly FleetService[];
  /** Growth of every service's traffic, as a fraction per 30 days (0.2 = +20% a month). */
  growthPerMonth?: number;
  /** Growth is measured from here. */
  start: number;
  /** Weekend (and holiday) traffic as a fraction of a weekday's. */
  weekendFactor?: number;
  /** Start of each holiday (a UTC day): weekend traffic. */
  holidays?: readonly number[];
  migrations?: readonly FleetMigration[];
  incidents?: readonly FleetIncident[];
  evalSuites?: readonly FleetEvalSuite[];
}

/** The quiet background every service shares. */
export const FLEET_NORMAL = {
  errorRate: 0.005,
  retrievalHitRate: 0.8,
  ratedShare: 0.08,
  thumbsDownShare: 0.15,
  outputMix: { answer: 0.75, clarify: 0.17, refusal: 0.08 } as Readonly<Record<string, number>>,
  latencyMedianMs: 900,
  costPerRequestUsd: 0.002,
} as const;

/** The eval runs' random streams, apart from the services' (stream = service index). */
const EVAL_STREAM = 10_000;

const PROVIDERS = ['openai', 'anthropic', 'mistral'] as const;
const MODELS: Record<(typeof PROVIDERS)[number], string> = {
  openai: 'gpt-4o-mini',
  anthropic: 'claude-haiku',
  mistral: 'mistral-small',
};

/** `n` services named svc-00…, peak rates spread log-evenly from `minPerMin` to `maxPerMin`. */
export function fleetOf(n: number, minPerMin: number, maxPerMin: number): FleetService[] {
  return Array.from({ length: n }, (_, i) => {
    const provider = PROVIDERS[i % PROVIDERS.length] ?? 'openai';
    const f = n === 1 ? 0 : i / (n - 1);
    return {
      service: `svc-${String(i).padStart(2, '0')}`,
      provider,
      model: MODELS[provider],
      peakPerMin: minPerMin * (maxPerMin / minPerMin) ** f,
      rag: i % 3 === 0,
    };
  });
}

/** Binomial sample: inversion for small means, a normal approximation for large ones. */
function binomialFast(rng: Rng, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  const mean = n * p;
  if (mean > 25 && n * (1 - p) > 25) {
    return Math.min(n, Math.max(0, Math.round(mean + Math.sqrt(mean * (1 - p)) * standardNormal(rng))));
  }
  if (p > 0.5) return n - binomialFast(rng, n, 1 - p);
  // Inversion: walk the pmf from 0.
  const q = 1 - p;
  let pmf = q ** n;
  let cdf = pmf;
  const u = rng();
  let k = 0;
  while (u > cdf && k < n) {
    pmf *= ((n - k) / (k + 1)) * (p / q);
    k++;
    cdf += pmf;
  }
  return k;
}

export interface Fleet {
  /** Buckets of every minute in [from, to), oldest first. */
  generate(from: number, to: number): MinuteBucket[];
  /** Eval runs dated in [from, to), oldest first. */
  evals(from: number, to: number): EvalResultInput[];
}

/** Raises each share to `exponent` and renormalises (< 1 flattens the mix). */
function flatten(mix: Readonly<Record<string, number>>, exponent: number): Record<string, number> {
  const out: Record<string, number> = {};
  let sum = 0;
  for (const [k, p] of Object.entries(mix)) sum += out[k] = p ** exponent;
  for (const k of Object.keys(out)) out[k] = (out[k] ?? 0) / sum;
  return out;
}

export function createFleet(o: FleetOptions): Fleet {
  const weekend = o.weekendFactor ?? 0.5;
  const holidays = new Set((o.holidays ?? []).map((d) => Math.floor(d / DAY_MS)));
  const growth = o.growthPerMonth ?? 0;
  const incidentsFor = (s: FleetService, m: number, kind: FleetIncident['kind']): FleetIncident | undefined =>
    o.incidents?.find(
      (x) =>
        x.kind === kind &&
        m >= x.since &&
        m < x.until &&
        (x.service === undefined || x.service === s.service) &&
        (x.provider === undefined || x.provider === s.provider),
    );
  /** Rated share and thumbs-down share of a service's minute. */
  const feedbackOf = (s: FleetService, m: number): { rated: number; down: number } => {
    const fb = incidentsFor(s, m, 'feedback');
    return fb
      ? { rated: FLEET_NORMAL.ratedShare * EFFECTS.feedbackRateFactor, down: fb.rate }
      : { rated: FLEET_NORMAL.ratedShare, down: FLEET_NORMAL.thumbsDownShare };
  };

  function rate(s: FleetService, m: number): number {
    if (s.since !== undefined && m < s.since) return 0;
    const quietDay = isWeekend(m) || holidays.has(Math.floor(m / DAY_MS));
    const grown = 1 + (growth * (m - o.start)) / (30 * DAY_MS);
    return s.peakPerMin * dailyFactor(m) * (quietDay ? weekend : 1) * Math.max(0, grown);
  }

  function serviceMinute(s: FleetService, si: number, m: number, out: MinuteBucket[]): void {
    const rng = rngFor(o.seed, si, Math.round(m / MINUTE_MS));
    const total = poisson(rng, rate(s, m));
    if (total === 0) return;
    // A migration moves a growing share of requests to the new model.
    const mig = o.migrations?.find((x) => x.service === s.service);
    const moved = mig && m >= mig.at ? Math.min(1, (m - mig.at) / Math.max(MINUTE_MS, mig.overMs)) : 0;
    const onNew = binomialFast(rng, total, moved);
    const parts: [string, number][] = [
      [s.model, total - onNew],
      [mig?.toModel ?? s.model, onNew],
    ];
    for (const [model, n] of parts) {
      if (n === 0) continue;
      const b = emptyBucket({ service: s.service, provider: s.provider, model }, m);
      b.count = n;
      const outage = incidentsFor(s, m, 'outage');
      const spike = incidentsFor(s, m, 'errors');
      const failShare = outage?.rate ?? spike?.rate ?? FLEET_NORMAL.errorRate;
      const errors = binomialFast(rng, n, failShare);
      if (errors > 0) {
        b.errors = errors;
        if (outage) {
          b.errorTypes.connection_error = errors;
        } else {
          const server = binomialFast(rng, errors, 0.6);
          if (server) b.errorTypes.server_error = server;
          if (errors - server) b.errorTypes.rate_limit = errors - server;
        }
      }
      // Latency: a few samples standing for all n requests.
      const k = Math.min(n, 6);
      const slow = incidentsFor(s, m, 'latency')?.rate ?? 1;
      for (let i = 0; i < k; i++) b.latency.accept(slow * logNormal(rng, FLEET_NORMAL.latencyMedianMs, 0.35), n / k);
      const costly = incidentsFor(s, m, 'cost')?.rate ?? 1;
      b.tokensIn = 400 * n * costly;
      b.tokensOut = 150 * n * costly;
      b.costUsd = FLEET_NORMAL.costPerRequestUsd * costly * n * (1 + 0.05 * standardNormal(rng));
      const drift = incidentsFor(s, m, 'drift');
      const mix = drift ? flatten(FLEET_NORMAL.outputMix, drift.rate) : FLEET_NORMAL.outputMix;
      let left = n;
      let share = 1;
      const labels = Object.entries(mix);
      labels.forEach(([label, p], i) => {
        const c = i === labels.length - 1 || share - p < 1e-9 ? left : binomialFast(rng, left, p / share);
        if (c) b.outputLabels[label] = c;
        left -= c;
        share -= p;
      });
      if (s.rag) {
        const hit = incidentsFor(s, m, 'retrieval')?.rate ?? FLEET_NORMAL.retrievalHitRate;
        b.retrievalHits = binomialFast(rng, n, hit);
        b.retrievalMisses = n - b.retrievalHits;
      }
      const fb = feedbackOf(s, m);
      const rated = binomialFast(rng, n, fb.rated);
      b.feedbackDown = binomialFast(rng, rated, fb.down);
      b.feedbackUp = rated - b.feedbackDown;
      out.push(b);
    }
  }

  return {
    generate(from, to) {
      const out: MinuteBucket[] = [];
      for (let m = Math.ceil(from / MINUTE_MS) * MINUTE_MS; m < to; m += MINUTE_MS) {
        o.services.forEach((s, i) => serviceMinute(s, i, m, out));
      }
      return out;
    },
    evals(from, to) {
      const out: EvalResultInput[] = [];
      (o.evalSuites ?? []).forEach((e, i) => {
        const offset = e.minuteOfHour * MINUTE_MS;
        for (let h = Math.ceil((from - offset) / HOUR_MS); h * HOUR_MS + offset < to; h++) {
          const ts = h * HOUR_MS + offset;
          const rng = rngFor(o.seed, EVAL_STREAM + i, h);
          const jitter = 0.01 * standardNormal(rng);
          const drop =
            o.incidents?.find((x) => x.kind === 'eval' && x.suite === e.suite && ts >= x.since && ts < x.until)?.rate ??
            0;
          const p = Math.min(0.999, Math.max(0, e.baseAccuracy + jitter - drop));
          const passed = binomial(rng, e.total, p);
          out.push({
            suite: e.suite,
            ts,
            accuracy: Math.round((passed / e.total) * 1e4) / 1e4,
            passed,
            total: e.total,
          });
        }
      });
      return out.sort((a, b) => (a.ts as number) - (b.ts as number));
    },
  };
}
