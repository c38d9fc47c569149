import { systemClock } from '../../shared/clock.js';
import { parseCliArgs } from './args.js';
import { Collector } from './collector.js';
import { loadConfigFile } from './config-file.js';
import { acquireDataDirLock, DataDirBusyError, LOCK_DB_FILE, LOCK_FILE, type DataDirLock } from './data-dir-lock.js';
import { ensurePrivateDir } from '../node/private-files.js';
import { readTokenFile, takeEnvToken, TOKEN_ENV } from '../node/tokens.js';
import { loadOrCreateToken } from './token.js';
import { PRINT_CONFIG_FLAG, printConfig } from './print-config.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
/** Files only a collector writes in its data dir: a dir holding one of them is ours to chmod. */
const DATA_DIR_MARKERS = ['token', 'collector.db', LOCK_FILE, LOCK_DB_FILE];

function log(msg: string): void {
  process.stderr.write(`[collector] ${msg}\n`);
}

function fail(msg: string): never {
  process.stderr.write(`collector: ${msg}\n`);
  process.exit(2);
}

function main(): void {
  if (process.argv.includes(PRINT_CONFIG_FLAG)) {
    process.exitCode = printConfig(
      process.argv.slice(2),
      (s) => process.stdout.write(s),
      (s) => process.stderr.write(s),
    );
    return;
  }
  let args;
  let config;
  let explicitToken: string | undefined;
  try {
    // Always taken out of the environment, so no eval job or action this collector runs inherits it.
    const envToken = takeEnvToken(process.env);
    args = parseCliArgs(process.argv.slice(2));
    config = loadConfigFile(args.config);
    // The app's own runbooks, where the desktop says they are (a config's runbooks.dir wins).
    if (args.bundledRunbooks !== undefined && config.runbooks.dir === undefined) {
      config = { ...config, runbooks: { ...config.runbooks, dir: args.bundledRunbooks } };
    }
    explicitToken = args.token ?? (args.tokenFile !== undefined ? readTokenFile(args.tokenFile) : envToken);
  } catch (err) {
    fail((err as Error).message);
  }
  const host = args.host ?? config.host ?? '127.0.0.1';
  explicitToken ??= config.token;
  // Off loopback anyone on the network can reach us: insist the operator chose the token.
  if (!LOOPBACK.has(host) && explicitToken === undefined) {
    fail(`binding ${host} requires an explicit token (--token-file, ${TOKEN_ENV}, --token or "token:" in the config)`);
  }
  let token: string;
  let lock: DataDirLock;
  try {
    try {
      const warning = ensurePrivateDir(args.dataDir, DATA_DIR_MARKERS);
      if (warning) log(`warning: ${warning}`);
    } catch (err) {
      // A dir we may write to but not chmod (owned by another user): say so, keep going.
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'EPERM') throw err;
      log(`warning: cannot make ${args.dataDir} private (0700): ${e.message}`);
    }
    lock = acquireDataDirLock(args.dataDir);
    // process.exit() (fail, stop) runs 'exit' listeners; on SIGKILL the OS drops the lock (see data-dir-lock.ts).
    process.on('exit', () => lock.release());
    token = explicitToken ?? loadOrCreateToken(args.dataDir);
  } catch (err) {
    fail(err instanceof DataDirBusyError ? err.message : (err as Error).message);
  }

  const collector = new Collector({
    dataDir: args.dataDir,
    host,
    port: args.port,
    token,
    config,
    clock: systemClock,
    log,
  });
  const started = collector.start();
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${reason}: shutting down`);
    // A stop during start-up waits for it, so dispose never races a half-built collector.
    started
      .catch(() => undefined)
      .then(() => collector.dispose())
      .then(
        () => process.exit(0),
        (err: unknown) => {
          log(`shutdown failed: ${String(err)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  if (args.exitWithParent) watchParent(() => stop('stdin closed (the process that started us is gone)'));

  started.then(
    ({ port }) => {
      const shown = host.includes(':') ? `[${host}]` : host;
      process.stdout.write(`vigil collector listening on http://${shown}:${port}\n`);
    },
    (err: unknown) => fail(`could not start: ${(err as Error).message}`),
  );
}

/**
 * `--exit-with-parent`: the parent (the desktop app, the headless host) spawns us with a stdin
 * pipe it never writes to and never closes. When it dies, even by SIGKILL, the kernel closes its
 * end and our stdin ends: we shut down cleanly instead of living on as an orphan that keeps the
 * data dir and pages alone. Opt-in, because stdin of a collector run by hand or by a supervisor
 * is a terminal or /dev/null, which may end for reasons that have nothing to do with a parent.
 */
function watchParent(onGone: () => void): void {
  process.stdin.on('end', onGone);
  process.stdin.on('close', onGone);
  process.stdin.on('error', onGone);
  process.stdin.resume(); // read (and drop) anything written, so 'end' is seen
}

main();
