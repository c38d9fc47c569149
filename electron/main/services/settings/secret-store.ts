import { join } from 'node:path';
import { z } from 'zod';
import { silentLogger, type Logger } from '../runtime.js';
import { readIfExists, writePrivateFile } from './private-json.js';

/**
 * Where secrets the settings refer to live (a team collector's token, keyed by its URL), never
 * in settings.json. The headless host keeps them in a 0600 file in its data dir
 * (FileSecretStore); Electron encrypts them with the OS keychain through `safeStorage`
 * (EncryptedSecretStore over the same file layout).
 */
export interface SecretStore {
  get(key: string): string | undefined;
  set(key: string, value: string): void;
  delete(key: string): void;
}

/** The key of a team collector's token. */
export function collectorTokenKey(url: string): string {
  return `collector-token:${url}`;
}

export const SECRETS_FILE = 'secrets.json';
const SecretsFile = z.record(z.string().max(2_100), z.string().max(64 * 1024));

/** The part of Electron's `safeStorage` the encrypted store needs (Electron's object satisfies it). */
export interface StringCipher {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /**
   * Linux only (Electron's safeStorage): which keyring backs the encryption. 'basic_text' means
   * no keyring was found and the "encryption" uses a hard-coded password: not protection.
   */
  getSelectedStorageBackend?(): string;
}

/** Linux safeStorage's backend when no keyring (libsecret, kwallet) is available: a fixed key. */
export const PLAINTEXT_BACKEND = 'basic_text';

/** Plain values in a 0600 JSON file (the headless host: the file mode is the protection). */
export class FileSecretStore implements SecretStore {
  protected readonly path: string;

  constructor(
    dataDir: string,
    protected readonly log: Logger = silentLogger,
    file: string = SECRETS_FILE,
  ) {
    this.path = join(dataDir, file);
  }

  get(key: string): string | undefined {
    const stored = this.read()[key];
    return stored === undefined ? undefined : this.decode(stored);
  }

  set(key: string, value: string): void {
    this.write({ ...this.read(), [key]: this.encode(value) });
  }

  delete(key: string): void {
    const all = this.read();
    if (!(key in all)) return;
    delete all[key];
    this.write(all);
  }

  protected encode(value: string): string {
    return value;
  }

  protected decode(stored: string): string | undefined {
    return stored;
  }

  private read(): Record<string, string> {
    let text: string | undefined;
    try {
      text = readIfExists(this.path);
    } catch (err) {
      this.log.warn(`secrets: cannot read ${this.path}: ${String(err)}`);
      return {};
    }
    if (text === undefined) return {};
    try {
      return SecretsFile.parse(JSON.parse(text));
    } catch {
      this.log.warn(`secrets: ${this.path} is not valid; starting empty`);
      return {};
    }
  }

  private write(all: Record<string, string>): void {
    writePrivateFile(this.path, `${JSON.stringify(all)}\n`);
  }
}

/**
 * Electron: values encrypted with `safeStorage` (Keychain, DPAPI, libsecret/kwallet), base64 in
 * a 0600 file. Refuses to store when the OS offers no encryption rather than falling back silently.
 */
export class EncryptedSecretStore extends FileSecretStore {
  constructor(
    dataDir: string,
    private readonly cipher: StringCipher,
    log: Logger = silentLogger,
  ) {
    super(dataDir, log, 'secrets.enc.json');
  }

  protected override encode(value: string): string {
    if (!this.cipher.isEncryptionAvailable()) {
      throw new Error('the OS offers no encryption for secrets (safeStorage unavailable)');
    }
    if (this.cipher.getSelectedStorageBackend?.() === PLAINTEXT_BACKEND) {
      throw new Error(
        'no OS keyring (libsecret or kwallet) is running: safeStorage would store the token with a fixed key (basic_text)',
      );
    }
    return this.cipher.encryptString(value).toString('base64');
  }

  protected override decode(stored: string): string | undefined {
    try {
      return this.cipher.decryptString(Buffer.from(stored, 'base64'));
    } catch (err) {
      this.log.warn(`secrets: cannot decrypt a stored secret (${String(err)})`);
      return undefined;
    }
  }
}
