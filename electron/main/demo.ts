import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { COLLECTOR_NODE_FLAGS } from '../../shared/collector-node-flags.js';
import { readTokenFile, TOKEN_ENV, TOKEN_ENV_NAMES } from '../node/tokens.js';
import { silentLogger, type Logger } from './services/index.js';
import { demoConfigYaml, writeDemoConfig } from './demo-rotation.js';
import { ApiRefusal } from '../../shared/api/handlers.js';
import type { DemoSource } from './services/settings/sources.js';
import { scenarioMenu } from './demo-menu.js';

/** How to start one entry script; the caller decides (tsx from source, or a bundle under Electron). */
export interface ChildCommand {
  command: string;
  args: string[];
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface DemoCommands {
  collector: ChildCommand;
  simulator: ChildCommand;
}

/** The per-user app data folder for Vigil, per platform conventions. */
export function appDataDir(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
  home: string = homedir(),
): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Vigil');
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Vigil');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'vigil');
}

/** Running from the repository: `node --import tsx electron/collector/cli.ts`. */
export function sourceDemoCommands(repoRoot: string, node: string = process.execPath): DemoCommands {
  return {
    collector: {
      command: node,
      args: [...COLLECTOR_NODE_FLAGS, '--import', 'tsx', join(repoRoot, 'electron/collector/cli.ts')],
      cwd: repoRoot,
    },
    simulator: {
      command: node,
      args: ['--import', 'tsx', join(repoRoot, 'electron/collector/simulator/cli.ts')],
      cwd: repoRoot,
    },
  };
}

/**
 * Running bundled under Node (the headless host without its sources): out/main/collector.js and
 * simulator.js. The desktop app does not come here: it starts them as utility processes
 * (bundled-collector.ts), so it never needs ELECTRON_RUN_AS_NODE.
 */
function bundledDemoCommands(mainDir: string, node: string = process.execPath): DemoCommands {
  return {
    collector: { command: node, args: [...COLLECTOR_NODE_FLAGS, join(mainDir, 'collector.js')], cwd: mainDir },
    simulator: { command: node, args: [join(mainDir, 'simulator.js')], cwd: mainDir },
  };
}

/** Picks source or bundled entries, whichever exists (source wins in a checkout). */
export function locateDemoCommands(opts: { repoRoot?: string; mainDir?: string; node?: string }): DemoCommands {
  if (opts.repoRoot && existsSync(join(opts.repoRoot, 'electron/collector/cli.ts'))) {
    return sourceDemoCommands(opts.repoRoot, opts.node);
  }
  if (opts.mainDir && existsSync(join(opts.mainDir, 'collector.js'))) {
    return bundledDemoCommands(opts.mainDir, opts.node);
  }
  throw new Error('cannot find the collector entry (electron/collector/cli.ts or out/main/collector.js)');
}

/**
 * Simulated traffic with a provider outage already 20 minutes in, so a page fires within seconds;
 * then six more days of history in the background (issue 14: the 7-day and 30-day charts and
 * the trailing 7-day cost line have data). Measured: the 1-day backfill takes ~9 s before the
 * page can fire either way; the older six days (~45 s) arrive while the demo is already live.
 */
export const DEFAULT_SIMULATOR_ARGS = [
  '--backfill',
  '1d',
  '--history',
  '6d',
  '--scenario',
  'provider-outage',
  '--scenario-since',
  '20m',
];

/**
 * The environment variable the collector and the simulator read their token from. Tokens never
 * go on a child's command line: every local user can read argv (`ps`, /proc/PID/cmdline), while
 * /proc/PID/environ is readable by the owner only.
 */
export const CHILD_TOKEN_ENV = TOKEN_ENV;
/**
 * Both children follow this process: spawned with a stdin pipe we never close, they shut down
 * when it ends, which the kernel does when we die, even by SIGKILL (no orphans on the data dir).
 */
const COLLECTOR_EXIT_WITH_PARENT = '--exit-with-parent';
const SIMULATOR_EXIT_WITH_PARENT = '--exit-on-eof';

export interface DemoOptions {
  commands: { collector: ChildCommand; simulator?: ChildCommand | null };
  /** The collector's data dir; default `<appDataDir>/collector`. */
  dataDir?: string;
  /** Handed over in VIGIL_TOKEN; otherwise read from `<dataDir>/token` which the collector creates. */
  token?: string;
  /** 0 = a free port. */
  port?: number;
  simulatorArgs?: string[];
  /** The collector's config (YAML), written into the data dir and passed with `--config` (the demo rotation). */
  configYaml?: string;
  startTimeoutMs?: number;
  log?: Logger;
}

/**
 * A running demo (the bundled collector and its simulator), however it was started: child
 * processes here (startDemo, the headless host) or supervised utility processes
 * (startBundledCollector, the desktop app). Its DemoSource is the Demo menu.
 */
export interface DemoRun extends DemoSource {
  readonly url: string;
  readonly token: string;
  /** Stops both children for good. Safe to call twice. */
  stop(): Promise<void>;
}

export interface Demo extends DemoRun {
  readonly dataDir: string;
  /** Turns a simulator scenario on or off (the simulator reads `on NAME` / `off NAME` on stdin). */
  scenario(name: string, on: boolean): void;
  /** SIGTERM to both children, SIGKILL after a grace period. Safe to call twice. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 5_000;

/** Starts the bundled collector on a free port, then the simulator pointed at it. */
export async function startDemo(opts: DemoOptions): Promise<Demo> {
  const log = opts.log ?? silentLogger;
  const dataDir = opts.dataDir ?? join(appDataDir(), 'collector');
  const c = opts.commands.collector;
  const config = opts.configYaml !== undefined ? ['--config', writeDemoConfig(dataDir, opts.configYaml)] : [];
  const args = [
    ...c.args,
    '--port',
    String(opts.port ?? 0),
    '--data-dir',
    dataDir,
    ...config,
    COLLECTOR_EXIT_WITH_PARENT,
  ];
  const collector = spawnChild('collector', { ...c, args, env: childEnv(c.env, opts.token) }, log);
  let simulator: ChildProcess | null = null;
  const stop = async (): Promise<void> => {
    await Promise.all([stopChild(simulator), stopChild(collector)]);
  };
  try {
    const url = await waitForListening(collector, opts.startTimeoutMs ?? 30_000);
    const token = opts.token ?? readTokenFile(join(dataDir, 'token'), "the collector's token");
    const s = opts.commands.simulator;
    if (s) {
      const simArgs = [
        ...s.args,
        '--url',
        url,
        SIMULATOR_EXIT_WITH_PARENT,
        ...(opts.simulatorArgs ?? DEFAULT_SIMULATOR_ARGS),
      ];
      simulator = spawnChild('simulator', { ...s, args: simArgs, env: childEnv(s.env, token) }, log);
    }
    const menu = scenarioMenu({
      simulatorArgs: s ? (opts.simulatorArgs ?? DEFAULT_SIMULATOR_ARGS) : [],
      running: () => simulator !== null && simulator.exitCode === null && simulator.signalCode === null,
      // The control channel: one line on the simulator's stdin (electron/collector/simulator/commands.ts).
      send: (line) => simulator?.stdin?.write(`${line}\n`),
    });
    return { url, token, dataDir, scenario: menu.scenario, state: menu.state, set: menu.set, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * A child's environment: the token in VIGIL_TOKEN when there is one, otherwise none (a VIGIL_TOKEN
 * we inherited must not override the one the collector keeps in its data dir), and never the team
 * collector's token this process was given.
 */
export function childEnv(base: NodeJS.ProcessEnv | undefined, token: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...(base ?? process.env) };
  for (const name of TOKEN_ENV_NAMES) delete env[name];
  if (token) env[CHILD_TOKEN_ENV] = token;
  return env;
}

function spawnChild(name: string, cmd: ChildCommand, log: Logger): ChildProcess {
  const child = spawn(cmd.command, cmd.args, {
    cwd: cmd.cwd,
    env: cmd.env ?? process.env,
    // stdin: the pipe the child watches to follow us (and the simulator's scenario commands).
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  // Children's output goes to our log (stderr), never to our stdout, which callers parse.
  const forward = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) log.info(`${name}: ${line}`);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  child.stdin?.on('error', () => {}); // writing to an exited child is not worth a crash
  child.on('error', (err) => log.error(`${name}: ${err.message}`));
  child.on('exit', (code, signal) => log.info(`${name} exited (${code ?? signal})`));
  return child;
}

function waitForListening(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((done, fail) => {
    let out = '';
    const timer = setTimeout(() => finish(new Error(`collector did not start within ${timeoutMs} ms`)), timeoutMs);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString('utf8');
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m?.[1]) finish(null, m[1]);
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(new Error(`collector exited (${code ?? signal}) before listening:\n${out.slice(-2000)}`));
    const finish = (err: Error | null, url?: string): void => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      if (err) fail(err);
      else done(url as string);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', onExit);
  });
}

async function stopChild(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((done) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      done();
    });
    child.kill('SIGTERM');
  });
}

/** The bundled collector and simulator, started on first use (default mode, or Settings switching to it). */
export interface LazyDemo {
  /** Starts the demo once (its rotation makes `user` primary); later calls answer the same one. */
  start(user: string): Promise<{ url: string; token: string }>;
  /** The Demo menu's scenarios: unavailable until the demo runs. */
  readonly source: DemoSource;
  /** Stops it if it was started (or is starting). */
  stop(): Promise<void>;
}

export const NO_DEMO_REASON = 'no bundled simulator runs here (Settings → Collector: bundled starts it)';

export interface LazyDemoOptions {
  /**
   * Starts the collector and simulator with this config (the demo rotation, YAML): startDemo's
   * child processes in the headless host, startBundledCollector's supervised utility processes
   * in the desktop app.
   */
  start: (configYaml: string) => Promise<DemoRun>;
  now: () => number;
  timeZone: string;
}

/**
 * What Electron main and the headless host hand AppSession as `bundled` and `demo`. The demo
 * rotation is written for the user of the moment it starts, in the desktop's time zone.
 */
export function lazyDemo(opts: LazyDemoOptions): LazyDemo {
  let demo: DemoRun | null = null;
  let starting: Promise<DemoRun> | null = null;
  return {
    async start(user) {
      starting ??= opts.start(demoConfigYaml(user, opts.now(), opts.timeZone)).then(
        (d) => (demo = d),
        (err: unknown) => {
          starting = null;
          throw err;
        },
      );
      const d = await starting;
      return { url: d.url, token: d.token };
    },
    source: {
      state: () => demo?.state() ?? { available: false, reason: NO_DEMO_REASON, scenarios: [] },
      set: (change) => {
        if (!demo) throw new ApiRefusal({ code: 'unavailable', message: NO_DEMO_REASON });
        return demo.set(change);
      },
    },
    async stop() {
      const d = demo ?? (await starting?.catch(() => null));
      await d?.stop().catch(() => {});
    },
  };
}
