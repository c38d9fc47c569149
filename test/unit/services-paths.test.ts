import { describe, expect, it } from 'vitest';
import { appDataDir } from '../../electron/main/demo.js';
import { contentSecurityPolicy, tokenMatches } from '../../electron/main/headless.js';
import { streamUrl } from '../../electron/main/services/sync-client.js';

describe('streamUrl', () => {
  it('maps the collector base URL to its ws stream', () => {
    expect(streamUrl('http://127.0.0.1:4318')).toBe('ws://127.0.0.1:4318/v1/stream');
    expect(streamUrl('https://vigil.example.com/team/')).toBe('wss://vigil.example.com/team/v1/stream');
    expect(streamUrl('ws://127.0.0.1:9?x=1#y')).toBe('ws://127.0.0.1:9/v1/stream');
  });
});

describe('appDataDir', () => {
  it('follows each platform convention', () => {
    expect(appDataDir('linux', { XDG_DATA_HOME: '/x/data' }, '/home/u')).toBe('/x/data/vigil');
    expect(appDataDir('linux', {}, '/home/u')).toBe('/home/u/.local/share/vigil');
    expect(appDataDir('darwin', {}, '/Users/u')).toBe('/Users/u/Library/Application Support/Vigil');
    expect(appDataDir('win32', { APPDATA: 'C:/Users/u/AppData/Roaming' }, 'C:/Users/u')).toMatch(/Roaming[\\/]Vigil$/);
  });
});

describe('headless host helpers', () => {
  it('compares tokens exactly, whatever their length', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abc', 'abd')).toBe(false);
    expect(tokenMatches('abc', 'abcd')).toBe(false);
    expect(tokenMatches('abc', '')).toBe(false);
    expect(tokenMatches('abc', null)).toBe(false);
  });

  it('allows scripts and sockets only from its own origin', () => {
    const csp = contentSecurityPolicy(5555);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self' ws://127.0.0.1:5555");
    expect(csp).not.toContain('unsafe-eval');
  });
});
