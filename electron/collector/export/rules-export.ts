import { parseArgs } from 'node:util';
import { loadConfigFile } from '../config-file.js';
import { renderPrometheusRules } from './prometheus-rules.js';

export const EXPORT_FORMATS = ['prometheus'] as const;
export const RULES_EXPORT_USAGE = 'usage: npm run rules:export -- --format prometheus [--config vigil.yaml]';

/**
 * `rules:export --format prometheus [--config FILE]`: prints the rule file and returns 0; a bad
 * argument or config prints the reason and returns 2 (nothing on stdout, so a redirect never
 * leaves half a rule file).
 */
export function rulesExport(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { format: { type: 'string' }, config: { type: 'string' } },
    });
    if (values.format === undefined) throw new Error(`--format is required\n${RULES_EXPORT_USAGE}`);
    if (!(EXPORT_FORMATS as readonly string[]).includes(values.format))
      throw new Error(`--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${values.format}"`);
    out(renderPrometheusRules(loadConfigFile(values.config)));
    return 0;
  } catch (e) {
    err(`rules:export: ${(e as Error).message}\n`);
    return 2;
  }
}
