import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { appDataDir, DEFAULT_SIMULATOR_ARGS, lazyDemo, locateDemoCommands, startDemo } from './demo.js';
import { startHeadlessHost, type HeadlessHost } from './headless.js';
import { CACHE_FILE, stderrLogger } from './services/index.js';
import { ensurePrivateDir } from '../node/private-files.js';
import { AppSession } from './services/settings/app-session.js';
import { FileSecretStore } from './services/settings/secret-store.js';
import { SETTINGS_FILE, SettingsStore } from './services/settings/settings-store.js';
import { parseCollectorUrl } from '../../shared/protocol/settings.js';
import { choosePort, HOST_ADDRESS_FILE, isAddressInUse, loadHostAddress, saveHostAddress } from './host-address.js';
import { SHIFT_NOTICE_ENV, shiftNoticeLeadFromEnv } from './services/rotation/index.js';
import { systemClock } from '../../shared/clock.js';
import { checkToken, COLLECTOR_TOKEN_ENV, readTokenFile, takeEnvToken } from '../node/tokens.js';

/**
 * `node --import tsx electron/main/headless-cli.ts [--collector URL (--collector-token-file FILE |
 *   VIGIL_COLLECTOR_TOKEN in the environment) | --demo [--demo-backfill D]] [--user NAME] [--port N]
 *   [--new-token] [--data-dir DIR] [--renderer-dir DIR]`
 * Without --collector / --demo and --user the host follows its Settings (settings.json in the data dir).
 * The port and token are last run's (host.json) unless --port / --new-token say otherwise.
 * Prints exactly one line on stdout: `Vigil is running at http://127.0.0.1:N/#token=…`.
 * Everything else goes to stderr. The team collector's token never goes on the command line
 * (visible to every local user); `--collector-token T` still works but warns.
 */
/** Where a team collector's token may come from besides --collector-token-file. */
const TOKEN_ENV = COLLECTOR_TOKEN_ENV;
const USAGE =
  'usage: headless-cli [--collector URL [--collector-token-file FILE] | --demo (the default) [--demo-backfill 1d]]\n' +
  '                    [--user NAME] [--port N] [--new-token] [--data-dir DIR] [--renderer-dir DIR]\n' +
  `       the team collector's token: ${TOKEN_ENV} in the environment, or the first line of --collector-token-file\n` +
  '       without flags the collector and the user are the Settings ones (default: bundled, the OS user);\n' +
  "       the port and token are last run's unless --port N / --new-token";

const ROOT = resolve(import.meta.dirname, '../..');
const log = stderrLogger;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

function defaultUser(): string {
  try {
    return userInfo().username || 'me';
  } catch {
    return 'me';
  }
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        collector: { type: 'string' },
        'collector-token': { type: 'string' },
        'collector-token-file': { type: 'string' },
        'demo-backfill': { type: 'string' },
        demo: { type: 'boolean', default: false },
        user: { type: 'string' },
        port: { type: 'string' },
        'new-token': { type: 'boolean', default: false },
        'data-dir': { type: 'string' },
        'renderer-dir': { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err));
  }
  if (values.help) {
    process.stderr.write(`${USAGE}\n`);
    return;
  }
  const portFlag = values.port === undefined ? undefined : Number(values.port);
  if (portFlag !== undefined && !(Number.isInteger(portFlag) && portFlag >= 0 && portFlag <= 65535)) {
    fail(`--port: not a port: ${values.port}`);
  }
  // Without --collector the host follows Settings: by default the bundled collector + simulator.
  if (values.demo && values.collector !== undefined) fail('pass either --collector URL or --demo, not both');
  const useDemo = values.collector === undefined;
  // Taken out of the environment either way: nothing this process starts needs it.
  let envToken: string | undefined;
  let envProblem: string | undefined;
  try {
    envToken = takeEnvToken(process.env, TOKEN_ENV);
  } catch (err) {
    envProblem = (err as Error).message;
  }
  let teamToken: string | undefined;
  if (values.collector !== undefined) {
    try {
      values.collector = parseCollectorUrl(values.collector, '--collector');
    } catch (err) {
      fail((err as Error).message);
    }
    if (
      envProblem !== undefined &&
      values['collector-token-file'] === undefined &&
      values['collector-token'] === undefined
    ) {
      fail(envProblem);
    }
    teamToken = collectorToken(values['collector-token'], values['collector-token-file'], envToken);
  } else if (values['collector-token'] !== undefined || values['collector-token-file'] !== undefined) {
    fail('--collector-token-file goes with --collector URL');
  }
  if (values['demo-backfill'] !== undefined && !useDemo) fail('--demo-backfill goes with --demo');
  const simulatorArgs = demoSimulatorArgs(values['demo-backfill']);

  const dataDir = values['data-dir'] ?? join(appDataDir(), 'headless');
  const commands = locateDemoCommands({ repoRoot: ROOT, mainDir: join(ROOT, 'out/main') });
  const demo = lazyDemo({
    start: (configYaml) => startDemo({ commands, simulatorArgs, configYaml, log }),
    now: () => systemClock.now(),
    timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
  });
  let session: AppSession | null = null;
  let host: HeadlessHost | null = null;
  let stopping = false;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await host?.close().catch(() => {});
    session?.dispose();
    await demo.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    const widerDir = ensurePrivateDir(dataDir, [CACHE_FILE, SETTINGS_FILE, HOST_ADDRESS_FILE]);
    if (widerDir) log.warn(widerDir);
    const shiftLeadMs = shiftNoticeLeadFromEnv(process.env[SHIFT_NOTICE_ENV]);
    session = new AppSession({
      dataDir,
      defaultUser: defaultUser(),
      store: new SettingsStore(dataDir, log),
      secrets: new FileSecretStore(dataDir, log),
      // The bundled collector and simulator start on first use: at once in the default (bundled)
      // mode, or when Settings switches to it.
      bundled: (user) => demo.start(user),
      demo: demo.source,
      overrides: {
        ...(values.user !== undefined ? { user: { value: values.user, by: '--user' } } : {}),
        ...(values.collector !== undefined
          ? { collector: { value: { url: values.collector, token: teamToken ?? '' }, by: '--collector' } }
          : {}),
        ...(values.demo ? { bundled: { value: true as const, by: '--demo' } } : {}),
      },
      services: shiftLeadMs !== undefined ? { shiftNotice: { leadMs: shiftLeadMs } } : {},
      log,
    });
    await session.start();
    host = await listenStably(session, dataDir, portFlag, values['new-token'] === true, values['renderer-dir']);
    process.stdout.write(`Vigil is running at ${host.url}\n`);
  } catch (err) {
    log.error(err instanceof Error ? err.message : String(err));
    await shutdown(1);
  }
}

/**
 * Issue 16: the same address as last run (host.json in the data dir), so an open tab reconnects
 * after a restart. `--port` asks for another port, `--new-token` for a new token. A stored port
 * that is taken falls back to a free one AND a new token, said on stderr: whoever holds the old
 * port (another local user) receives the open tab's reconnect with `?token=`, so that token is
 * burnt. The new address (port and token) is stored.
 */
async function listenStably(
  api: AppSession,
  dataDir: string,
  portFlag: number | undefined,
  newToken: boolean,
  rendererFlag: string | undefined,
): Promise<HeadlessHost> {
  const last = loadHostAddress(dataDir, log);
  const rendererDir = rendererFlag ?? join(ROOT, 'out/renderer');
  const wanted = choosePort(portFlag, last);
  const token = newToken ? undefined : last?.token;
  const open = (port: number, withToken: string | undefined): Promise<HeadlessHost> =>
    startHeadlessHost({ api, rendererDir, port, log, ...(withToken ? { token: withToken } : {}) });
  let host: HeadlessHost;
  try {
    host = await open(wanted, token);
  } catch (err) {
    if (wanted === 0 || !isAddressInUse(err)) throw err;
    host = await open(0, undefined);
    log.warn(
      `port ${wanted} is taken: using port ${host.port} and a new token this run ` +
        `(whoever holds port ${wanted} may have seen the old token; --port N picks a port)`,
    );
  }
  saveHostAddress(dataDir, { port: host.port, token: host.token });
  return host;
}

/** The team collector's token: --collector-token-file, else the deprecated flag, else VIGIL_COLLECTOR_TOKEN. */
function collectorToken(flag: string | undefined, file: string | undefined, env: string | undefined): string {
  if (flag !== undefined && file !== undefined) fail('pass --collector-token-file or --collector-token, not both');
  if (file !== undefined) {
    try {
      return readTokenFile(file, '--collector-token-file');
    } catch (err) {
      fail((err as Error).message);
    }
  }
  if (flag !== undefined) {
    log.warn(
      `--collector-token puts the token where every local user can read it (ps); use ${TOKEN_ENV} or --collector-token-file`,
    );
    try {
      return checkToken(flag, '--collector-token');
    } catch (err) {
      fail((err as Error).message);
    }
  }
  if (env) return env;
  return fail(`--collector needs its token: ${TOKEN_ENV} in the environment, or --collector-token-file FILE`);
}

/** Minutes per unit of --demo-backfill. */
const BACKFILL_UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 24 * 60 };
/** The demo's outage starts 20 minutes into the past (`--scenario-since 20m`): the backfill must cover it. */
const MIN_DEMO_BACKFILL_MINUTES = 20;
/** The simulator's own bound on --backfill. */
const MAX_DEMO_BACKFILL_MINUTES = 90 * 24 * 60;

/** The demo's simulator arguments; --demo-backfill D makes D the whole simulated history (no background week). */
function demoSimulatorArgs(backfill: string | undefined): string[] {
  if (backfill === undefined) return DEFAULT_SIMULATOR_ARGS;
  const m = /^(\d+(?:\.\d+)?)(m|h|d)$/.exec(backfill);
  const minutes = m ? Number(m[1]) * (BACKFILL_UNIT_MINUTES[m[2] ?? ''] ?? Number.NaN) : Number.NaN;
  if (!(minutes >= MIN_DEMO_BACKFILL_MINUTES && minutes <= MAX_DEMO_BACKFILL_MINUTES)) {
    fail(`--demo-backfill: '${backfill}' must be a duration from 20m to 90d, like 30m, 6h, 1d`);
  }
  // An explicit span is the whole history: the background week (`--history`) goes with it.
  const args = [...DEFAULT_SIMULATOR_ARGS];
  const h = args.indexOf('--history');
  if (h >= 0) args.splice(h, 2);
  args[args.indexOf('--backfill') + 1] = backfill;
  return args;
}

void main();
