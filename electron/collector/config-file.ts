import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import {
  defaultCollectorConfig,
  parseCollectorConfig,
  type CollectorConfig,
} from '../../shared/config/collector-config.js';

/** Loads and validates the YAML config; throws an Error whose message lists every bad path. */
export function loadConfigFile(file: string | undefined): CollectorConfig {
  if (file === undefined) return defaultCollectorConfig();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read config ${file}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (err) {
    throw new Error(`config ${file} is not valid YAML: ${(err as Error).message}`);
  }
  const r = parseCollectorConfig(raw);
  if (!r.ok) throw new Error(`invalid config ${file}:\n  ${r.errors.join('\n  ')}`);
  return r.config;
}
