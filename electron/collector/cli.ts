import { mkdirSync } from 'node:fs';
import { systemClock } from '../../shared/clock.js';
import { parseCliArgs } from './args.js';
import { Collector } from './collector.js';
import { loadConfigFile } from './config-file.js';
import { loadOrCreateToken } from './token.js';
import { PRINT_CONFIG_FLAG, printConfig } from './print-config.js';

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

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
  try {
    args = parseCliArgs(process.argv.slice(2));
    config = loadConfigFile(args.config);
  } catch (err) {
    fail((err as Error).message);
  }
  const host = args.host ?? config.host ?? '127.0.0.1';
  const explicitToken = args.token ?? config.token;
  // Off loopback anyone on the network can reach us: insist the operator chose the token.
  if (!LOOPBACK.has(host) && explicitToken === undefined) {
    fail(`binding ${host} requires an explicit token (--token or "token:" in the config)`);
  }
  let token: string;
  try {
    mkdirSync(args.dataDir, { recursive: true });
    token = explicitToken ?? loadOrCreateToken(args.dataDir);
  } catch (err) {
    fail((err as Error).message);
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
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    collector.dispose().then(
      () => process.exit(0),
      (err: unknown) => {
        log(`shutdown failed: ${String(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  collector.start().then(
    ({ port }) => {
      const shown = host.includes(':') ? `[${host}]` : host;
      process.stdout.write(`vigil collector listening on http://${shown}:${port}\n`);
    },
    (err: unknown) => fail(`could not start: ${(err as Error).message}`),
  );
}

main();
