import { readFileSync } from 'node:fs';
import { MIN_TOKEN_LENGTH } from '../../shared/config/token.js';

/**
 * Bearer tokens as every process of ours receives them, in one place: the environment variable
 * names, the minimum length, and reading one from a file or the environment. Tokens never travel
 * on command lines (every local user can read argv in `ps`; only the owner can read a process's
 * environment or a 0600 file).
 */
export { MIN_TOKEN_LENGTH };

/** What the collector and the simulator read their token from; a parent hands a child its token here. */
export const TOKEN_ENV = 'VIGIL_TOKEN';
/** What the desktop app and the headless host read a team collector's token from; never passed on to children. */
export const COLLECTOR_TOKEN_ENV = 'VIGIL_COLLECTOR_TOKEN';
/** Every token variable: a child's environment starts without all of them. */
export const TOKEN_ENV_NAMES: readonly string[] = [TOKEN_ENV, COLLECTOR_TOKEN_ENV];

/** `token` trimmed, or an Error naming `source` (a flag, a file, a variable) when it is too short to be one. */
export function checkToken(token: string, source: string): string {
  const t = token.trim();
  if (t.length < MIN_TOKEN_LENGTH) {
    throw new Error(
      t === '' ? `${source} is empty` : `${source} must be at least ${MIN_TOKEN_LENGTH} characters, got ${t.length}`,
    );
  }
  return t;
}

/**
 * The token in `file` (the first line, trimmed), as given to `flag`. Throws an Error naming the
 * flag and the file when it cannot be read or holds no usable token. `read` is injected in tests.
 */
export function readTokenFile(
  file: string,
  flag = '--token-file',
  read: (path: string) => string = (p) => readFileSync(p, 'utf8'),
): string {
  let text: string;
  try {
    text = read(file);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new Error(`${flag}: cannot read ${file}: ${e.code ?? e.message}`);
  }
  const token = (text.split('\n')[0] ?? '').trim();
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`${flag}: ${file} holds no usable token (need at least ${MIN_TOKEN_LENGTH} characters)`);
  }
  return token;
}

/**
 * Takes the token in variable `name` out of `env` (deleted there, so no child inherits it).
 * Undefined when unset or blank; an Error when set but too short.
 */
export function takeEnvToken(env: Record<string, string | undefined>, name: string = TOKEN_ENV): string | undefined {
  const token = env[name]?.trim();
  delete env[name];
  if (token === undefined || token === '') return undefined;
  return checkToken(token, name);
}

/** Like takeEnvToken, without removing it (for an injected, read-only environment). */
export function envToken(
  env: Readonly<Record<string, string | undefined>>,
  name: string = TOKEN_ENV,
): string | undefined {
  const token = env[name]?.trim();
  if (token === undefined || token === '') return undefined;
  return checkToken(token, name);
}
