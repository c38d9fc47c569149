import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkToken,
  COLLECTOR_TOKEN_ENV,
  envToken,
  MIN_TOKEN_LENGTH,
  readTokenFile,
  takeEnvToken,
  TOKEN_ENV,
  TOKEN_ENV_NAMES,
} from '../../electron/node/tokens.js';
import { childEnv } from '../../electron/main/demo.js';
import { parseCollectorConfig } from '../../shared/config/collector-config.js';

/**
 * Review of issue 11, finding 19: the token helpers existed three times (collector, simulator,
 * headless host) with different minimum lengths (16, none, none) and the variable names were
 * spelled out in several files. Now one module, electron/node/tokens.ts.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const GOOD = 'a'.repeat(MIN_TOKEN_LENGTH);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('token helpers (electron/node/tokens.ts)', () => {
  it('one minimum length for flags, files, the environment and the collector config', () => {
    expect(MIN_TOKEN_LENGTH).toBe(16);
    expect(checkToken(` ${GOOD} `, '--token')).toBe(GOOD);
    expect(() => checkToken('short', '--token')).toThrow('--token must be at least 16 characters, got 5');
    expect(() => checkToken('  ', '--token')).toThrow('--token is empty');
    expect(readTokenFile('f', '--token-file', () => `${GOOD}\nsecond line\n`)).toBe(GOOD);
    expect(() => readTokenFile('f', '--collector-token-file', () => 'short\n')).toThrow(
      '--collector-token-file: f holds no usable token (need at least 16 characters)',
    );
    expect(() =>
      readTokenFile('/nope', '--token-file', () => {
        throw Object.assign(new Error('no such file'), { code: 'ENOENT' });
      }),
    ).toThrow('--token-file: cannot read /nope: ENOENT');
    expect(parseCollectorConfig({ token: 'a'.repeat(MIN_TOKEN_LENGTH - 1) }).ok).toBe(false);
    expect(parseCollectorConfig({ token: GOOD }).ok).toBe(true);
  });

  it('takes a token out of the environment (no child inherits it), refusing a short one', () => {
    const env: Record<string, string | undefined> = { [TOKEN_ENV]: GOOD, [COLLECTOR_TOKEN_ENV]: 'short', PATH: '/bin' };
    expect(takeEnvToken(env)).toBe(GOOD);
    expect(env[TOKEN_ENV]).toBeUndefined();
    expect(() => takeEnvToken(env, COLLECTOR_TOKEN_ENV)).toThrow(`${COLLECTOR_TOKEN_ENV} must be at least 16`);
    expect(env[COLLECTOR_TOKEN_ENV]).toBeUndefined();
    expect(takeEnvToken({ [TOKEN_ENV]: ' ' })).toBeUndefined();
    expect(envToken({ [TOKEN_ENV]: GOOD })).toBe(GOOD);
  });

  it("a child's environment holds none of the token variables unless handed one", () => {
    const base = { PATH: '/bin', [TOKEN_ENV]: 'inherited', [COLLECTOR_TOKEN_ENV]: 'team' };
    expect(childEnv(base, undefined)).toEqual({ PATH: '/bin' });
    expect(childEnv(base, GOOD)).toEqual({ PATH: '/bin', [TOKEN_ENV]: GOOD });
    expect(TOKEN_ENV_NAMES).toEqual(['VIGIL_TOKEN', 'VIGIL_COLLECTOR_TOKEN']);
  });

  it('the variable names are spelled out in electron/node/tokens.ts only', () => {
    const spelled = sources(join(ROOT, 'electron'))
      .filter((f) => /['"`]VIGIL_(COLLECTOR_)?TOKEN['"`]/.test(readFileSync(f, 'utf8')))
      .map((f) => relative(ROOT, f));
    expect(spelled).toEqual(['electron/node/tokens.ts']);
  });
});
