import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../node/private-files.js';

/**
 * Where a process that starts the collector hands it the token without a command line (every
 * local user can read another's argv in `ps`; only the owner can read its environment). The
 * collector removes it from its own environment once read, so commands it runs (eval jobs,
 * remediation actions) never inherit it.
 */
export const TOKEN_ENV = 'VIGIL_TOKEN';
/** Tokens shorter than this are refused: a guessable token is no token. */
export const MIN_TOKEN_LENGTH = 16;

/** Reads `<dataDir>/token`, creating a random one (mode 0600) on first start. */
export function loadOrCreateToken(dataDir: string): string {
  const file = join(dataDir, 'token');
  if (existsSync(file)) {
    // A token file from an older version (or a careless copy) may be readable by others.
    chmodSync(file, PRIVATE_FILE_MODE);
    const token = readFileSync(file, 'utf8').trim();
    if (token.length >= MIN_TOKEN_LENGTH) return token;
    throw new Error(
      `${file} holds no usable token (need at least ${MIN_TOKEN_LENGTH} characters); delete it to get a new one`,
    );
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token + '\n', { mode: PRIVATE_FILE_MODE, flag: 'wx' });
  chmodSync(file, PRIVATE_FILE_MODE);
  return token;
}

/** Reads a token from a file named on the command line (`--token-file`); the first line, trimmed. */
export function readTokenFile(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`--token-file: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  const token = (text.split('\n')[0] ?? '').trim();
  if (token.length < MIN_TOKEN_LENGTH) {
    throw new Error(`--token-file: ${file} holds no usable token (need at least ${MIN_TOKEN_LENGTH} characters)`);
  }
  return token;
}

/**
 * Takes the token from the environment and deletes it there, so no child process inherits it.
 * Undefined when unset; an error when set but too short.
 */
export function takeEnvToken(env: NodeJS.ProcessEnv): string | undefined {
  const token = env[TOKEN_ENV]?.trim();
  delete env[TOKEN_ENV];
  if (token === undefined || token === '') return undefined;
  if (token.length < MIN_TOKEN_LENGTH) throw new Error(`${TOKEN_ENV} must be at least ${MIN_TOKEN_LENGTH} characters`);
  return token;
}
