import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeZodError } from '../../../../shared/protocol/errors.js';
import { Settings } from '../../../../shared/protocol/settings.js';
import { silentLogger, type Logger } from '../runtime.js';
import { readIfExists, writePrivateFile } from './private-json.js';

export const SETTINGS_FILE = 'settings.json';
/** settings.json is a few hundred bytes; anything far larger is not ours. */
const MAX_SETTINGS_BYTES = 64 * 1024;

/** A setting refused, naming its field (`collector.url: must be an http:// or https:// URL`). */
export class SettingsError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
    this.name = 'SettingsError';
  }
}

/** Validates raw settings (a parsed file or a merged change); throws SettingsError naming the field. */
export function parseSettings(raw: unknown): Settings {
  const parsed = Settings.safeParse(raw);
  if (parsed.success) return parsed.data;
  const { field, message } = describeZodError(parsed.error);
  throw new SettingsError(field, message);
}

/**
 * settings.json in the data dir (0600). A missing file is the defaults; an unreadable or invalid
 * one is reported and replaced by the defaults on the next save (the app must start whatever the
 * file holds: settings are what a person would fix from inside the app).
 */
export class SettingsStore {
  readonly path: string;
  private readonly log: Logger;

  constructor(dataDir: string, log: Logger = silentLogger) {
    this.path = join(dataDir, SETTINGS_FILE);
    this.log = log;
  }

  load(): Settings {
    let text: string | undefined;
    try {
      text = readIfExists(this.path);
    } catch (err) {
      this.log.warn(`settings: cannot read ${this.path} (${String(err)}); using the defaults`);
    }
    if (text === undefined) return parseSettings({});
    try {
      if (text.length > MAX_SETTINGS_BYTES)
        throw new SettingsError('(root)', `larger than ${MAX_SETTINGS_BYTES} bytes`);
      return parseSettings(JSON.parse(text));
    } catch (err) {
      this.log.warn(`settings: ${this.path} is not valid (${(err as Error).message}); using the defaults`);
      return parseSettings({});
    }
  }

  /** The file as it is now (undefined: none), for `restore` when a change must be undone. */
  snapshot(): string | undefined {
    return readIfExists(this.path);
  }

  /** Puts back what `snapshot` returned (removes the file when there was none). */
  restore(text: string | undefined): void {
    if (text === undefined) rmSync(this.path, { force: true });
    else writePrivateFile(this.path, text);
  }

  save(settings: Settings): void {
    writePrivateFile(this.path, `${JSON.stringify(parseSettings(settings), null, 2)}\n`);
  }
}
