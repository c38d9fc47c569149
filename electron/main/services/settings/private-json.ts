import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from '../../../node/private-files.js';

/**
 * Writes `text` to `file` atomically with mode 0600: a temp file beside it, removed first and then
 * created EXCLUSIVELY ('wx': a symlink or file planted at that name makes the open fail instead of
 * being followed, so nothing outside the data dir is written or made readable), then renamed over
 * the old one, so a crash never leaves a half-written settings or secrets file.
 */
export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  // A temp file left by a crashed run (or a symlink put there): gone, never written through.
  rmSync(tmp, { force: true });
  const fd = openSync(tmp, 'wx', PRIVATE_FILE_MODE);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

/** The file's text, or undefined when it does not exist (other errors are thrown). */
export function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
