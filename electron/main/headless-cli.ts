import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { appDataDir, locateDemoCommands, startDemo, type Demo } from './demo.js';
import { startHeadlessHost, type HeadlessHost } from './headless.js';
import { createAppServices, stderrLogger, type AppServices } from './services/index.js';

/**
 * `node --import tsx electron/main/headless-cli.ts [--collector URL --collector-token T | --demo]
 *   [--user NAME] [--port N] [--data-dir DIR] [--renderer-dir DIR]`
 * Prints exactly one line on stdout: `Vigil is running at http://127.0.0.1:N/#token=…`.
 * Everything else goes to stderr.
 */
const USAGE =
  'usage: headless-cli [--collector URL --collector-token T | --demo (the default)] [--user NAME] [--port N] [--data-dir DIR] [--renderer-dir DIR]';

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
        demo: { type: 'boolean', default: false },
        user: { type: 'string' },
        port: { type: 'string', default: '0' },
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
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port: not a port: ${values.port}`);
  // Without a team collector the host runs the embedded default (bundled collector + simulator).
  if (values.demo && values.collector !== undefined) fail('pass either --collector URL or --demo, not both');
  const useDemo = values.collector === undefined;
  if (values.collector !== undefined && !values['collector-token']) fail('--collector needs --collector-token');

  let demo: Demo | null = null;
  let services: AppServices | null = null;
  let host: HeadlessHost | null = null;
  let stopping = false;
  const shutdown = async (code: number): Promise<void> => {
    if (stopping) return;
    stopping = true;
    await host?.close().catch(() => {});
    services?.dispose();
    await demo?.stop().catch(() => {});
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));

  try {
    let collectorUrl = values.collector ?? '';
    let collectorToken = values['collector-token'] ?? '';
    if (useDemo) {
      demo = await startDemo({
        commands: locateDemoCommands({ repoRoot: ROOT, mainDir: join(ROOT, 'out/main') }),
        log,
      });
      collectorUrl = demo.url;
      collectorToken = demo.token;
    }
    services = createAppServices({
      collectorUrl,
      collectorToken,
      user: values.user ?? defaultUser(),
      dataDir: values['data-dir'] ?? join(appDataDir(), 'headless'),
      log,
    });
    services.start();
    host = await startHeadlessHost({
      api: services.api,
      rendererDir: values['renderer-dir'] ?? join(ROOT, 'out/renderer'),
      port,
      log,
    });
    process.stdout.write(`Vigil is running at ${host.url}\n`);
  } catch (err) {
    log.error(err instanceof Error ? err.message : String(err));
    await shutdown(1);
  }
}

void main();
