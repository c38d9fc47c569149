/**
 * Tokens shorter than this are refused wherever one is given (collector flags, files, the
 * environment and its config; the simulator; the desktop and headless host): a guessable token
 * is no token. The one rule; electron/node/tokens.ts applies it to what processes read.
 */
export const MIN_TOKEN_LENGTH = 16;
