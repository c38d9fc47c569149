import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { PRIVATE_FILE_MODE } from '../../../node/private-files.js';

/**
 * Writes `text` to `file` atomically with mode 0600: a temp file created 0600 and chmod-ed again
 * (a temp file left by an older run keeps its old mode), then renamed over the old one, so a crash
 * never leaves a half-written settings or secrets file, and the file is never readable by others.
 */
export function writePrivateFile(file: string, text: string): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, text, { mode: PRIVATE_FILE_MODE });
  chmodSync(tmp, PRIVATE_FILE_MODE);
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
