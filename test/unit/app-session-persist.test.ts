import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../electron/main/services/index.js';
import { AppSession, type BundledCollector } from '../../electron/main/services/settings/app-session.js';
import {
  collectorTokenKey,
  EncryptedSecretStore,
  FileSecretStore,
} from '../../electron/main/services/settings/secret-store.js';
import { SettingsStore } from '../../electron/main/services/settings/settings-store.js';
import type { Settings } from '../../shared/protocol/settings.js';

/**
 * Issue 16 review (H2, M2): a settings change is stored before the services move, and a change
 * that cannot be stored leaves everything as it was; a disposed session binds nothing late.
 * The collectors here are unreachable loopback ports: only the binding is looked at.
 */
const T1 = 'a'.repeat(43);
const T2 = 'b'.repeat(43);
const FIRST = 'http://127.0.0.1:9';
const SECOND = 'http://127.0.0.1:8';
const dirs: string[] = [];
const sessions: AppSession[] = [];

afterEach(() => {
  for (const s of sessions.splice(0)) s.dispose();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'vigil-session-'));
  dirs.push(d);
  return d;
}

function session(dir: string, parts: Partial<ConstructorParameters<typeof AppSession>[0]>): AppSession {
  const s = new AppSession({
    dataDir: dir,
    defaultUser: 'me',
    store: new SettingsStore(dir),
    secrets: new FileSecretStore(dir),
    overrides: { collector: { value: { url: FIRST, token: T1 }, by: '--collector' } },
    log: silentLogger,
    ...parts,
  });
  sessions.push(s);
  return s;
}

const toSecond = { method: 'settings.update', params: { collector: { mode: 'team', url: SECOND, token: T2 } } };

describe('a settings change is stored before the services rebind', () => {
  it('refuses a team token that cannot be stored (no OS encryption): binding, file and settings unchanged', async () => {
    const dir = tempDir();
    const noCipher = {
      isEncryptionAvailable: () => false,
      encryptString: (p: string) => Buffer.from(p),
      decryptString: (b: Buffer) => b.toString(),
    };
    const s = session(dir, { secrets: new EncryptedSecretStore(dir, noCipher) });
    const services = await s.start();
    const reply = await s.handle(toSecond);
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.code).toBe('unavailable');
    expect(reply.error.message).toContain('collector.token');
    expect(s.services).toBe(services);
    expect(s.get().collectorUrl).toBe(FIRST);
    expect(s.get().settings.collector).toEqual({ mode: 'bundled' });
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
  });

  it('refuses when settings.json cannot be written: the token just stored is taken back, the binding stays', async () => {
    const dir = tempDir();
    class FailingStore extends SettingsStore {
      override save(_: Settings): void {
        throw new Error('EROFS: read-only file system');
      }
    }
    const secrets = new FileSecretStore(dir);
    const s = session(dir, { store: new FailingStore(dir), secrets });
    const services = await s.start();
    const reply = await s.handle(toSecond);
    expect(reply.ok).toBe(false);
    if (reply.ok) return;
    expect(reply.error.message).toContain('settings: cannot be stored');
    expect(s.services).toBe(services);
    expect(s.get().collectorUrl).toBe(FIRST);
    expect(secrets.get(collectorTokenKey(SECOND))).toBeUndefined();
  });

  it('a stored change rebinds, and the file and secret hold it', async () => {
    const dir = tempDir();
    const secrets = new FileSecretStore(dir);
    const s = session(dir, { secrets });
    await s.start();
    const reply = await s.handle(toSecond);
    expect(reply.ok).toBe(true);
    expect(s.get().collectorUrl).toBe(SECOND);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).collector).toEqual({
      mode: 'team',
      url: SECOND,
    });
    expect(secrets.get(collectorTokenKey(SECOND))).toBe(T2);
  });
});

describe('dispose() stops a start in flight', () => {
  it('a bundled collector that comes up after dispose binds nothing, and calls are refused', async () => {
    const dir = tempDir();
    let release: (c: BundledCollector) => void = () => {};
    const s = session(dir, {
      overrides: {},
      bundled: () => new Promise<BundledCollector>((r) => (release = r)),
    });
    const started = s.start();
    await new Promise((r) => setTimeout(r, 10));
    s.dispose();
    release({ url: FIRST, token: T1 });
    await expect(started).rejects.toThrow(/disposed/);
    expect(() => s.services).toThrow(/not started/);
    const reply = await s.handle({ method: 'settings.get', params: {} });
    expect(reply).toEqual({ ok: false, error: { code: 'unavailable', message: 'shutting down' } });
  });

  it('an update waiting on the bundled collector is refused after dispose and binds nothing', async () => {
    const dir = tempDir();
    let release: (c: BundledCollector) => void = () => {};
    const s = session(dir, { bundled: () => new Promise<BundledCollector>((r) => (release = r)) });
    await s.start();
    const pending = s.update({ collector: { mode: 'bundled' } });
    await new Promise((r) => setTimeout(r, 10));
    s.dispose();
    release({ url: SECOND, token: T2 });
    await expect(pending).rejects.toThrow(/shutting down/);
    expect(() => s.services).toThrow(/not started/);
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
  });
});

describe('the encrypted secret store on Linux without a keyring', () => {
  const cipher = (backend: string | undefined) => ({
    isEncryptionAvailable: () => true,
    encryptString: (p: string) => Buffer.from(`enc:${p}`),
    decryptString: (b: Buffer) => b.toString().slice(4),
    ...(backend === undefined ? {} : { getSelectedStorageBackend: () => backend }),
  });

  it("refuses to store a token when safeStorage's backend is basic_text (a fixed key)", () => {
    const store = new EncryptedSecretStore(tempDir(), cipher('basic_text'));
    expect(() => store.set('k', T1)).toThrow(/basic_text/);
    expect(store.get('k')).toBeUndefined();
  });

  it('stores with a real keyring backend, or where the backend is not reported (macOS, Windows)', () => {
    for (const backend of ['gnome_libsecret', undefined]) {
      const store = new EncryptedSecretStore(tempDir(), cipher(backend));
      store.set('k', T1);
      expect(store.get('k')).toBe(T1);
    }
  });

  it('a settings change with a team token is refused naming the token', async () => {
    const dir = tempDir();
    const s = session(dir, { secrets: new EncryptedSecretStore(dir, cipher('basic_text')) });
    await s.start();
    const reply = await s.handle(toSecond);
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.message).toMatch(/collector\.token: cannot be stored.*basic_text/);
    expect(s.get().collectorUrl).toBe(FIRST);
  });
});

describe('the bundled collector moving to another port', () => {
  it('rebinds the services to the new URL; a team binding is left alone', async () => {
    const dir = tempDir();
    const s = session(dir, { overrides: {}, bundled: () => Promise.resolve({ url: FIRST, token: T1 }) });
    const first = await s.start();
    expect(s.get().collectorUrl).toBe(FIRST);
    await s.bundledMoved(SECOND);
    expect(s.get().collectorUrl).toBe(SECOND);
    expect(s.services).not.toBe(first);

    const team = session(tempDir(), {});
    await team.start();
    await team.bundledMoved(SECOND);
    expect(team.get().collectorUrl).toBe(FIRST);
  });
});

describe('a rebind that fails after the change was stored', () => {
  it('puts back the previous settings.json and secret, and the previous binding', async () => {
    const dir = tempDir();
    const secrets = new FileSecretStore(dir);
    const s = session(dir, { secrets });
    await s.start();
    // The team collector's cache dir cannot be created: `collectors` is a file.
    writeFileSync(join(dir, 'collectors'), 'not a dir');
    const reply = await s.handle(toSecond);
    expect(reply.ok).toBe(false);
    if (!reply.ok) expect(reply.error.message).toMatch(/^collector: cannot switch/);
    expect(s.get().collectorUrl).toBe(FIRST);
    expect(existsSync(join(dir, 'settings.json'))).toBe(false);
    expect(secrets.get(collectorTokenKey(SECOND))).toBeUndefined();
  });
});
