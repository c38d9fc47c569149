import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDesktopSession } from '../../electron/main/desktop-session.js';
import { parseSettings, SettingsError } from '../../electron/main/services/settings/settings-store.js';
import { isLoopbackUrl, parseCollectorUrl } from '../../shared/protocol/settings.js';
import { headlessSessionOptions } from '../fixtures/desktop-session.js';

/**
 * Issue 16 review (M4, L3): the bearer token goes with every request to the team collector, so
 * plain http:// is only for this machine; URLs from flags and the environment follow the same rules.
 */
function refused(url: string): { field: string; message: string } {
  try {
    parseSettings({ collector: { mode: 'team', url } });
  } catch (err) {
    if (err instanceof SettingsError) return { field: err.field, message: err.detail };
    throw err;
  }
  throw new Error(`accepted ${url}`);
}

describe('a team collector URL', () => {
  it('accepts http:// to loopback and https:// anywhere', () => {
    for (const url of [
      'http://127.0.0.1:4318',
      'http://127.8.9.10',
      'http://localhost:8080/vigil',
      'http://[::1]:4318',
      'http://LOCALHOST:1',
      'https://vigil.example.com',
      'https://10.0.0.5:8443',
    ]) {
      expect(() => parseSettings({ collector: { mode: 'team', url } }), url).not.toThrow();
    }
  });

  it('refuses http:// to any other host, naming collector.url', () => {
    for (const url of [
      'http://vigil.example.com',
      'http://10.0.0.5:4318',
      'http://192.168.1.2',
      'http://[::2]:1',
      'http://localhost.example.com',
      'http://127.0.0.1.example.com',
      'http://0.0.0.0:4318',
    ]) {
      const r = refused(url);
      expect(r.field, url).toBe('collector.url');
      expect(r.message, url).toMatch(/https:\/\//);
    }
  });

  it('isLoopbackUrl reads the host only', () => {
    expect(refused('http://127.0.0.1:80@evil.example.com').field).toBe('collector.url');
    expect(isLoopbackUrl('http://127.255.0.1:9/x')).toBe(true);
    expect(isLoopbackUrl('http://127.0.0.256')).toBe(false);
    expect(isLoopbackUrl('http://u@127.0.0.1')).toBe(false);
    expect(isLoopbackUrl('http://127.1:9')).toBe(false); // other spellings: https:// or the dotted form
    expect(isLoopbackUrl('not a url')).toBe(false);
  });
});

describe('collector URLs from flags and the environment', () => {
  it('are held to the setting rules, naming where they came from', () => {
    expect(parseCollectorUrl('http://127.0.0.1:9/', '--collector')).toBe('http://127.0.0.1:9');
    expect(() => parseCollectorUrl('http://user:pw@127.0.0.1:9', '--collector')).toThrow(
      /^--collector: must not carry credentials/,
    );
    expect(() => parseCollectorUrl('http://vigil.example.com', 'VIGIL_COLLECTOR_URL')).toThrow(
      /^VIGIL_COLLECTOR_URL: http:\/\/ only for this machine/,
    );
    expect(() => parseCollectorUrl('ftp://x', '--collector')).toThrow(/^--collector: /);
  });

  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('the desktop session refuses a VIGIL_COLLECTOR_URL with credentials', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-url-'));
    dirs.push(dir);
    const base = headlessSessionOptions(dir);
    const env = (url: string): NodeJS.ProcessEnv => ({
      VIGIL_COLLECTOR_URL: url,
      VIGIL_COLLECTOR_TOKEN: 't'.repeat(20),
    });
    expect(() => createDesktopSession({ ...base, env: env('http://u:p@127.0.0.1:9') })).toThrow(
      /VIGIL_COLLECTOR_URL: must not carry credentials/,
    );
    expect(() => createDesktopSession({ ...base, env: env('http://team.example.com') })).toThrow(/VIGIL_COLLECTOR_URL/);
    const { session } = createDesktopSession({ ...base, env: env('http://127.0.0.1:9/') });
    expect(session.get().overriddenBy.collector).toBe('VIGIL_COLLECTOR_URL');
    session.dispose();
  });
});
