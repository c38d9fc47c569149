import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { loadConfigFile } from './config-file.js';

export const PRINT_CONFIG_FLAG = '--print-config';

/**
 * `collector --print-config [--config FILE]`: prints the effective config (defaults filled in)
 * as YAML and returns 0; a bad config or argument prints the path and reason and returns 2.
 * The token is redacted: the output is meant to be pasted into tickets.
 */
export function printConfig(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  let config;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        'print-config': { type: 'boolean' },
        config: { type: 'string' },
        // Accepted so the flag can be added to a normal command line; they do not affect the config.
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        token: { type: 'string' },
        host: { type: 'string' },
      },
    });
    config = loadConfigFile(values.config);
  } catch (e) {
    err(`collector: ${(e as Error).message}\n`);
    return 2;
  }
  const shown = config.token !== undefined ? { ...config, token: '<redacted>' } : config;
  out(stringify(shown));
  return 0;
}
