import { parseArgs } from 'node:util';
import { checkToken, TOKEN_ENV } from '../node/tokens.js';

export interface CliArgs {
  port: number;
  dataDir: string;
  /** `--token T`: for a person at a terminal; anything that spawns the collector uses VIGIL_TOKEN or --token-file. */
  token?: string;
  /** `--token-file PATH`: the token is the file's first line. */
  tokenFile?: string;
  config?: string;
  host?: string;
  /** Shut down when stdin ends: the spawning process died (see cli.ts). */
  exitWithParent: boolean;
  /**
   * `--bundled-runbooks DIR`: where the app's own runbooks are (the desktop passes its resources
   * dir), used when the config names no `runbooks.dir`; absent: the app root's runbooks/ (paths.ts).
   */
  bundledRunbooks?: string;
}

export const USAGE =
  'usage: collector --port N --data-dir DIR [--token-file FILE | --token T] [--config FILE] [--host 127.0.0.1] [--exit-with-parent] [--bundled-runbooks DIR]\n' +
  `       (or the token in the ${TOKEN_ENV} environment variable: a command line is visible to every local user)\n` +
  '       collector --print-config [--config FILE]';

/** Throws an Error with a message fit for the terminal. */
export function parseCliArgs(argv: string[]): CliArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        token: { type: 'string' },
        'token-file': { type: 'string' },
        config: { type: 'string' },
        host: { type: 'string' },
        'exit-with-parent': { type: 'boolean', default: false },
        'bundled-runbooks': { type: 'string' },
      },
    }));
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${USAGE}`);
  }
  if (values.port === undefined) throw new Error(`--port is required\n${USAGE}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got "${values.port}"`);
  if (!values['data-dir']) throw new Error(`--data-dir is required\n${USAGE}`);
  if (values.token !== undefined) checkToken(values.token, '--token');
  if (values.token !== undefined && values['token-file'] !== undefined) {
    throw new Error('pass either --token or --token-file, not both');
  }
  if (values['token-file'] === '') throw new Error('--token-file must name a file');
  if (values['bundled-runbooks'] === '') throw new Error('--bundled-runbooks must name a folder');
  return {
    port,
    dataDir: values['data-dir'],
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values['token-file'] !== undefined ? { tokenFile: values['token-file'] } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    exitWithParent: values['exit-with-parent'],
    ...(values['bundled-runbooks'] !== undefined ? { bundledRunbooks: values['bundled-runbooks'] } : {}),
  };
}
