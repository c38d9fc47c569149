import { parseArgs } from 'node:util';

export interface CliArgs {
  port: number;
  dataDir: string;
  token?: string;
  config?: string;
  host?: string;
}

export const USAGE =
  'usage: collector --port N --data-dir DIR [--token T] [--config FILE] [--host 127.0.0.1]\n       collector --print-config [--config FILE]';

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
        config: { type: 'string' },
        host: { type: 'string' },
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
  if (values.token !== undefined && values.token.length < 16) throw new Error('--token must be at least 16 characters');
  return {
    port,
    dataDir: values['data-dir'],
    ...(values.token !== undefined ? { token: values.token } : {}),
    ...(values.config !== undefined ? { config: values.config } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
  };
}
