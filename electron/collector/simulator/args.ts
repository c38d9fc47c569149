/**
 * Command-line flags of the traffic simulator, validated with zod so a typo fails fast with a
 * message naming the flag (exit code 2), before anything is posted.
 */
import { parseArgs } from 'node:util';
import { checkToken, envToken, readTokenFile, TOKEN_ENV } from '../../node/tokens.js';
import { z } from 'zod';
import { DEFAULT_BASE_RATE_PER_SEC, DEFAULT_SEED } from '../../../shared/sim/index.js';
import { parseScenarioSpec } from './scenario-spec.js';
import type { ScenarioSpecArg } from './scenario-spec.js';

export interface SimOptions {
  /** Collector base URL; events go to `<url>/v1/events`, evals to `<url>/v1/evals`. */
  url: string;
  token: string;
  rate: number;
  seed: number;
  backfillMs: number;
  /** Backfill the whole span even where the collector already has data (default: resume after it). */
  fullBackfill: boolean;
  /**
   * Older history posted after the backfill, while live traffic already runs (0 = none): the
   * week-long charts fill without delaying the first page. Only on a first start (the backfill
   * was not resumed), so a restart never posts it twice.
   */
  historyMs: number;
  scenarios: ScenarioSpecArg[];
  scenarioSinceMs: number;
  speed: number;
  once: boolean;
  exitOnEof: boolean;
  batchSize: number;
  maxBuffer: number;
  tickMs: number;
  summaryMs: number;
  /** Minutes east of UTC for the daily rhythm; undefined = the machine's local zone. */
  tzOffsetMinutes: number | undefined;
}

export const USAGE = `usage: ${TOKEN_ENV}=TOKEN npm run simulate -- --url URL [options]
  --url URL              collector base URL, e.g. http://127.0.0.1:4318
  --token-file FILE      read the collector's bearer token from FILE (e.g. its data dir's token)
  --token TOKEN          the token on the command line (visible to every local user: prefer
                         ${TOKEN_ENV} or --token-file)
  --rate R               requests/s across all services at a weekday peak (default ${DEFAULT_BASE_RATE_PER_SEC})
  --seed N               random seed; same seed, same traffic (default ${DEFAULT_SEED})
  --backfill D           post D of history first, e.g. 7d, 36h, 90m (default none); where the
                         collector already has events, only the span after its newest one
  --full-backfill        post the whole --backfill span even where the collector has data
  --history D            then post D more of older history (before the backfill) in the background,
                         while live traffic runs; only when the backfill was not resumed
  --scenario NAME[:k=v]  turn a scenario on at start; repeatable; k is service|provider|model|suite
  --scenario-since D     scenarios from --scenario are also active in the last D of the backfill
  --speed X              simulated time runs X times as fast as the wall clock, at most 1 for live
                         traffic (the collector refuses events dated ahead of its clock) (default 1)
  --once                 post the backfill (or the last minute when there is none), then exit
  --exit-on-eof          exit when stdin closes (for a parent process that wants the child to follow it)
  --batch-size N         events per POST (default 1000)
  --max-buffer N         events kept while the collector is unreachable before dropping the oldest (default 200000)
  --tick D               live interval (default 1s)
  --summary-every D      status line interval (default 10s)
  --tz-offset MIN        minutes east of UTC for the daily rhythm (default: this machine's zone)
stdin commands: on NAME [k=v ...] | off NAME | list | status | help`;

/** Live simulated time may not run faster than the wall clock (see Simulation.simNow). */
export const MAX_LIVE_SPEED = 1;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90m` → 5_400_000; undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(text.trim());
  if (!m || m[1] === undefined || m[2] === undefined) return undefined;
  const unit = UNITS[m[2]];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

const duration = (flag: string, min: number, max: number) =>
  z.string().transform((s, ctx) => {
    const ms = parseDuration(s);
    if (ms === undefined) {
      ctx.addIssue({ code: 'custom', message: `${flag}: '${s}' is not a duration (use e.g. 90m, 36h, 7d)` });
      return z.NEVER;
    }
    if (ms < min || ms > max) {
      ctx.addIssue({ code: 'custom', message: `${flag}: ${s} is out of range` });
      return z.NEVER;
    }
    return ms;
  });

const number = (flag: string, opts: { min: number; max: number; int?: boolean }) =>
  z.string().transform((s, ctx) => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n) || (opts.int && !Number.isInteger(n)) || n < opts.min || n > opts.max) {
      const kind = opts.int ? 'an integer' : 'a number';
      ctx.addIssue({ code: 'custom', message: `${flag}: '${s}' must be ${kind} between ${opts.min} and ${opts.max}` });
      return z.NEVER;
    }
    return n;
  });

const Raw = z.object({
  url: z
    .string({ error: '--url is required (the collector base URL, e.g. http://127.0.0.1:4318)' })
    .refine((s) => URL.canParse(s) && /^https?:$/.test(new URL(s).protocol), {
      message: '--url must be an http:// or https:// URL',
    }),
  token: z
    .string({ error: `--token is required (or --token-file FILE, or ${TOKEN_ENV} in the environment)` })
    .min(1, { message: '--token must not be empty' }),
  rate: number('--rate', { min: 0.001, max: 10_000 }).default(DEFAULT_BASE_RATE_PER_SEC),
  seed: number('--seed', { min: 0, max: 4_294_967_295, int: true }).default(DEFAULT_SEED),
  backfill: duration('--backfill', 1000, 90 * 86_400_000).optional(),
  'full-backfill': z.boolean().default(false),
  history: duration('--history', 1000, 90 * 86_400_000).optional(),
  scenario: z.array(z.string()).default([]),
  'scenario-since': duration('--scenario-since', 1000, 90 * 86_400_000).optional(),
  speed: number('--speed', { min: 0.01, max: 10_000 }).default(1),
  once: z.boolean().default(false),
  'exit-on-eof': z.boolean().default(false),
  'batch-size': number('--batch-size', { min: 1, max: 50_000, int: true }).default(1000),
  'max-buffer': number('--max-buffer', { min: 1000, max: 10_000_000, int: true }).default(200_000),
  tick: duration('--tick', 50, 60_000).default(1000),
  'summary-every': duration('--summary-every', 100, 3_600_000).default(10_000),
  'tz-offset': number('--tz-offset', { min: -14 * 60, max: 14 * 60, int: true }).optional(),
});

export type ParsedArgs = { kind: 'run'; options: SimOptions } | { kind: 'help' } | { kind: 'error'; message: string };

/** Where a token comes from besides --token: the environment and --token-file (injected in tests). */
export interface TokenSources {
  env?: Readonly<Record<string, string | undefined>>;
  readFile?: (path: string) => string;
}

export function parseSimArgs(argv: readonly string[], sources: TokenSources = {}): ParsedArgs {
  let values: Record<string, unknown>;
  try {
    const parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        url: { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        'full-backfill': { type: 'boolean' },
        rate: { type: 'string' },
        seed: { type: 'string' },
        backfill: { type: 'string' },
        history: { type: 'string' },
        scenario: { type: 'string', multiple: true },
        'scenario-since': { type: 'string' },
        speed: { type: 'string' },
        once: { type: 'boolean' },
        'exit-on-eof': { type: 'boolean' },
        'batch-size': { type: 'string' },
        'max-buffer': { type: 'string' },
        tick: { type: 'string' },
        'summary-every': { type: 'string' },
        'tz-offset': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    values = parsed.values;
  } catch (err) {
    return { kind: 'error', message: err instanceof Error ? err.message : String(err) };
  }
  if (values.help === true) return { kind: 'help' };
  const token = resolveToken(values, sources);
  if (typeof token === 'object') return token;
  values = { ...values, token };
  delete values['token-file'];

  const r = Raw.safeParse(values);
  if (!r.success) {
    const issue = r.error.issues[0];
    const flag = issue?.path[0] !== undefined ? `--${String(issue.path[0])}` : '';
    const msg = issue?.message ?? 'invalid arguments';
    return { kind: 'error', message: msg.startsWith('--') || !flag ? msg : `${flag}: ${msg}` };
  }
  const v = r.data;
  const scenarios: ScenarioSpecArg[] = [];
  for (const text of v.scenario) {
    const s = parseScenarioSpec(text);
    if (!s.ok) return { kind: 'error', message: `--scenario: ${s.message}` };
    scenarios.push(s.spec);
  }
  // Live traffic faster than the wall clock would be dated ahead of it, and the collector refuses
  // whole batches past its clock + ingest.maxFutureSkew (5 min at 10x after ~33 s).
  if (v.speed > MAX_LIVE_SPEED && !v.once) {
    return {
      kind: 'error',
      message:
        `--speed: ${v.speed} would date live events ahead of the wall clock, which the collector refuses; ` +
        `use at most ${MAX_LIVE_SPEED} (or --backfill D to post history at full speed)`,
    };
  }
  const since = v['scenario-since'];
  if (since !== undefined) {
    if (scenarios.length === 0) return { kind: 'error', message: '--scenario-since needs at least one --scenario' };
    if (v.backfill === undefined || since > v.backfill) {
      return {
        kind: 'error',
        message: '--scenario-since must not be longer than --backfill (it places the scenario inside the backfill)',
      };
    }
  }
  return {
    kind: 'run',
    options: {
      url: v.url,
      token: v.token,
      rate: v.rate,
      seed: v.seed,
      backfillMs: v.backfill ?? 0,
      fullBackfill: v['full-backfill'],
      historyMs: v.backfill !== undefined ? (v.history ?? 0) : 0,
      scenarios,
      scenarioSinceMs: since ?? 0,
      speed: v.speed,
      once: v.once,
      exitOnEof: v['exit-on-eof'],
      batchSize: v['batch-size'],
      maxBuffer: v['max-buffer'],
      tickMs: v.tick,
      summaryMs: v['summary-every'],
      tzOffsetMinutes: v['tz-offset'],
    },
  };
}

/**
 * --token, else --token-file, else the environment; undefined leaves "required" to the schema.
 * Every source gets the one minimum length (electron/node/tokens.ts).
 */
function resolveToken(
  values: Record<string, unknown>,
  sources: TokenSources,
): string | undefined | { kind: 'error'; message: string } {
  const file = values['token-file'];
  try {
    if (typeof values.token === 'string') {
      if (file !== undefined) return { kind: 'error', message: 'pass either --token or --token-file, not both' };
      checkToken(values.token, '--token');
      return values.token;
    }
    if (typeof file === 'string') return readTokenFile(file, '--token-file', sources.readFile);
    return envToken(sources.env ?? {}, TOKEN_ENV);
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
}
