import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { UserName } from '../../shared/protocol/stream.js';
import { loadConfigFile } from './config-file.js';
import { tokenSha256 } from './http/auth.js';

/**
 * `npm run token:mint -- --user alice [--config FILE]`: makes a person's own token. The token is
 * printed once and stored nowhere; the collector's config holds only its SHA-256 (the line to
 * add under `users:`). stdout is a YAML document, so a script can parse what it needs.
 */

export const MINT_USAGE = 'usage: npm run token:mint -- --user NAME [--config FILE]';
/** 256 random bits. */
const TOKEN_BYTES = 32;

export interface MintedToken {
  token: string;
  tokenSha256: string;
  /** The entry for the config's `users:` list. */
  yamlLine: string;
}

export function mintUserToken(name: string, random: (n: number) => Buffer = randomBytes): MintedToken {
  let token: string;
  // A token starting with '-' reads as an option on command lines that take it as an argument.
  do token = random(TOKEN_BYTES).toString('base64url');
  while (token.startsWith('-'));
  const digest = tokenSha256(token);
  // A JSON string is a valid YAML flow scalar, whatever the name holds.
  return { token, tokenSha256: digest, yamlLine: `- {name: ${JSON.stringify(name)}, tokenSha256: ${digest}}` };
}

/** Returns the exit code; `out` gets the YAML document, `err` the reasons for a refusal. */
export function mintTokenCli(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  let user: string;
  let config: string | undefined;
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { user: { type: 'string' }, config: { type: 'string' } },
    });
    if (values.user === undefined) throw new Error('--user is required');
    const name = UserName.safeParse(values.user);
    if (!name.success) throw new Error(`--user ${name.error.issues[0]?.message ?? 'is not a valid name'}`);
    user = name.data;
    config = values.config;
  } catch (e) {
    err(`token:mint: ${(e as Error).message}\n${MINT_USAGE}\n`);
    return 2;
  }
  if (config !== undefined) {
    try {
      if (loadConfigFile(config).users.some((u) => u.name === user)) {
        err(`token:mint: ${config} already lists a token for "${user}"; remove that entry first to replace it\n`);
        return 2;
      }
    } catch (e) {
      err(`token:mint: ${(e as Error).message}\n`);
      return 2;
    }
  }
  const minted = mintUserToken(user);
  out(
    `# The token for ${JSON.stringify(user)}, shown once (the collector keeps only its SHA-256):\n` +
      `token: ${minted.token}\n` +
      `# Add this entry under "users:" in the collector's config${config !== undefined ? ` (${config})` : ''}, then restart it:\n` +
      `users:\n  ${minted.yamlLine}\n`,
  );
  return 0;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  process.exitCode = mintTokenCli(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
}
