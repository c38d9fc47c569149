import { join } from 'node:path';
import type { Clock } from '../../shared/clock.js';
import { COLLECTOR_NODE_FLAGS } from '../../shared/collector-node-flags.js';
import { readTokenFile } from '../node/tokens.js';
import { childEnv, DEFAULT_SIMULATOR_ARGS, type DemoRun } from './demo.js';
import { scenarioMenu } from './demo-menu.js';
import { writeDemoConfig } from './demo-rotation.js';
import { silentLogger, type Logger } from './services/runtime.js';
import type { Spawner, SpawnSpec } from './spawner.js';
import { Supervisor, type SupervisorOptions } from './supervisor.js';

/** The line the collector prints once it listens (its stable CLI contract). */
const LISTENING = /listening on (http:\/\/127\.0\.0\.1:(\d+))/;
/** The collector's own "could not start: listen EADDRINUSE…" (cli.ts): its port was taken meanwhile. */
const PORT_TAKEN = /EADDRINUSE/;
export const COLLECTOR_START_TIMEOUT_MS = 30_000;

/** Where the collector and simulator entry scripts are and how Node runs them. */
export interface BundledEntries {
  collector: { modulePath: string; execArgv?: readonly string[]; cwd?: string };
  simulator?: { modulePath: string; execArgv?: readonly string[]; cwd?: string } | null;
}

/** Built by electron-vite next to the main bundle (out/main/collector.js, simulator.js). */
export function builtEntries(mainDir: string, withSimulator: boolean): BundledEntries {
  return {
    collector: { modulePath: join(mainDir, 'collector.js'), execArgv: COLLECTOR_NODE_FLAGS, cwd: mainDir },
    simulator: withSimulator ? { modulePath: join(mainDir, 'simulator.js'), cwd: mainDir } : null,
  };
}

/** From a checkout (tests): the TypeScript sources through tsx. */
export function sourceEntries(repoRoot: string, withSimulator: boolean): BundledEntries {
  const tsx = ['--import', 'tsx'];
  return {
    collector: {
      modulePath: join(repoRoot, 'electron/collector/cli.ts'),
      execArgv: [...COLLECTOR_NODE_FLAGS, ...tsx],
      cwd: repoRoot,
    },
    simulator: withSimulator
      ? { modulePath: join(repoRoot, 'electron/collector/simulator/cli.ts'), execArgv: tsx, cwd: repoRoot }
      : null,
  };
}

export interface BundledCollectorOptions {
  spawner: Spawner;
  entries: BundledEntries;
  dataDir: string;
  /** The demo rotation and friends (YAML), passed with --config. */
  configYaml?: string;
  /**
   * The app's runbooks/ (packaged: process.resourcesPath/runbooks; else the checkout's), passed as
   * --bundled-runbooks so the collector never has to search for them (runbooks/paths.ts).
   */
  runbooksDir?: string;
  /**
   * A restart could not get the pinned port back (another process took it while the collector was
   * down): the collector now listens at `url`. The desktop rebinds to it (its sync client would
   * otherwise keep sending the token to whoever holds the old port).
   */
  onMoved?: (url: string) => void;
  /** 0 = a free port on the first start; restarts reuse the port the first start got (unless taken). */
  port?: number;
  /**
   * Whether the spawner gives children a stdin pipe (child_process: yes, utilityProcess: no).
   * Only then are `--exit-with-parent` / `--exit-on-eof` passed: with no stdin they would exit at once.
   */
  stdinFollowsParent: boolean;
  simulatorArgs?: readonly string[];
  clock: Clock;
  log?: Logger;
  startTimeoutMs?: number;
  /** Supervisor knobs (tests shorten the backoff). */
  supervisor?: Pick<SupervisorOptions, 'backoff' | 'stableAfterMs' | 'stopGraceMs' | 'timers' | 'random'>;
}

export interface BundledCollector extends DemoRun {
  readonly collector: Supervisor;
  readonly simulator: Supervisor | null;
  /**
   * Turns a simulator scenario on or off live (the Demo menu). Under utilityProcess this arrives
   * as a parentPort message (the simulator listens there as well as on stdin). `state()` /
   * `set()` are the Demo menu over it; a restarted simulator is switched back to what it shows.
   */
  scenario(name: string, on: boolean): void;
  /** Stops both children for good; resolves when they are gone. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The desktop's own collector (and, in demo mode, the traffic simulator), each under a
 * Supervisor: a crash restarts it with backoff on the same port and data dir, so the desktop's
 * sync client just reconnects; stop() ends both cleanly.
 */
export async function startBundledCollector(opts: BundledCollectorOptions): Promise<BundledCollector> {
  const log = opts.log ?? silentLogger;
  const config = opts.configYaml !== undefined ? ['--config', writeDemoConfig(opts.dataDir, opts.configYaml)] : [];
  let port = opts.port ?? 0;
  const env = childEnv(process.env, undefined);
  const c = opts.entries.collector;
  const collectorSpec = (): SpawnSpec => ({
    name: 'collector',
    modulePath: c.modulePath,
    args: [
      '--port',
      String(port),
      '--data-dir',
      opts.dataDir,
      ...config,
      ...(opts.runbooksDir !== undefined ? ['--bundled-runbooks', opts.runbooksDir] : []),
      ...(opts.stdinFollowsParent ? ['--exit-with-parent'] : []),
    ],
    ...(c.execArgv ? { execArgv: c.execArgv } : {}),
    ...(c.cwd ? { cwd: c.cwd } : {}),
    env,
  });
  const collector = new Supervisor({
    ...opts.supervisor,
    spawner: opts.spawner,
    spec: collectorSpec,
    clock: opts.clock,
    log,
  });
  let url = '';
  collector.onLine((l) => {
    const m = LISTENING.exec(l);
    // Pin the port: a restarted collector must come back where the desktop is connected.
    if (m?.[1] && m[2]) {
      port = Number(m[2]);
      const moved = url !== '' && m[1] !== url;
      url = m[1];
      if (moved) {
        log.warn(`collector: moved to ${url} (its port was taken while it was down)`);
        opts.onMoved?.(url);
      }
    }
    if (PORT_TAKEN.test(l) && port !== 0) {
      // Retrying a taken port would crash-loop for as long as someone else holds it.
      log.warn(
        `collector: port ${port} is taken (${collector.state()}, start ${collector.startCount()}): the next restart picks a free port`,
      );
      port = 0;
    }
    log.info(`collector: ${l}`);
  });
  let simulator: Supervisor | null = null;
  const stop = async (): Promise<void> => {
    await Promise.all([simulator?.stop(), collector.stop()]);
  };
  try {
    url = await new Promise<string>((done, fail) => {
      const timeoutMs = opts.startTimeoutMs ?? COLLECTOR_START_TIMEOUT_MS;
      const timer = setTimeout(() => finish(new Error(`collector did not start within ${timeoutMs} ms`)), timeoutMs);
      const offLine = collector.onLine((l) => {
        const m = LISTENING.exec(l);
        if (m?.[1]) finish(null, m[1]);
      });
      const finish = (err: Error | null, u?: string): void => {
        clearTimeout(timer);
        offLine();
        if (err) fail(err);
        else done(u as string);
      };
      collector.start();
    });
    const token = readTokenFile(join(opts.dataDir, 'token'), "the collector's token");
    const s = opts.entries.simulator;
    if (s) {
      const simEnv = childEnv(process.env, token);
      simulator = new Supervisor({
        ...opts.supervisor,
        spawner: opts.spawner,
        clock: opts.clock,
        log,
        spec: () => ({
          name: 'simulator',
          modulePath: s.modulePath,
          args: [
            '--url',
            url,
            ...(opts.stdinFollowsParent ? ['--exit-on-eof'] : []),
            ...(opts.simulatorArgs ?? DEFAULT_SIMULATOR_ARGS),
          ],
          ...(s.execArgv ? { execArgv: s.execArgv } : {}),
          ...(s.cwd ? { cwd: s.cwd } : {}),
          env: simEnv,
        }),
      });
      simulator.onLine((l) => log.info(`simulator: ${l}`));
      simulator.start();
    }
    const sim = simulator as Supervisor | null;
    const menu = scenarioMenu({
      simulatorArgs: sim ? (opts.simulatorArgs ?? DEFAULT_SIMULATOR_ARGS) : [],
      // Between a crash and its restart the menu stays: the switch is replayed on the restart.
      running: () => sim !== null && sim.state() !== 'stopping' && sim.state() !== 'stopped',
      send: (line) => sim?.send(line),
    });
    sim?.onStarted(({ start }) => {
      if (start > 0) menu.replay(); // 0-based: every start after the first
    });
    return {
      get url() {
        return url;
      },
      token,
      collector,
      simulator: sim,
      scenario: menu.scenario,
      state: menu.state,
      set: menu.set,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
