import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  APP_SCHEME_PRIVILEGES,
  contentTypeOf,
  createAppHandler,
  MAX_APP_URL_LENGTH,
  resolveAppPath,
} from '../../electron/main/app-protocol.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/main/security.js';

const root = mkdtempSync(join(tmpdir(), 'vigil-scheme-'));
const rendererDir = join(root, 'renderer');
mkdirSync(join(rendererDir, 'assets'), { recursive: true });
writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Vigil</title>');
writeFileSync(join(rendererDir, 'assets', 'index-abc.js'), 'console.log(1)');
writeFileSync(join(root, 'secret.txt'), 'outside the renderer');
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('vigil:// path resolution', () => {
  it('maps our URLs into the renderer folder', () => {
    expect(resolveAppPath(rendererDir, APP_ENTRY_URL)).toBe(join(rendererDir, 'index.html'));
    expect(resolveAppPath(rendererDir, 'vigil://app/')).toBe(join(rendererDir, 'index.html'));
    expect(resolveAppPath(rendererDir, 'vigil://app')).toBe(join(rendererDir, 'index.html'));
    expect(resolveAppPath(rendererDir, 'vigil://app/assets/index-abc.js?v=1#x')).toBe(
      join(rendererDir, 'assets', 'index-abc.js'),
    );
    expect(resolveAppPath(rendererDir, 'vigil://app/assets/a%20b.css')).toBe(join(rendererDir, 'assets', 'a b.css'));
  });

  // The URL parser folds plain `..` segments (so `/../secret.txt` names renderer/secret.txt, which
  // does not exist); encoded ones are refused. Either way nothing outside the folder is named.
  it('refuses path traversal in every spelling', () => {
    for (const url of [
      'vigil://app/../secret.txt',
      'vigil://app/assets/../../secret.txt',
      'vigil://app/%2e%2e/secret.txt',
      'vigil://app/%2E%2E/%2E%2E/etc/passwd',
      'vigil://app/..%2fsecret.txt',
      'vigil://app/assets%2f..%2f..%2fsecret.txt',
      'vigil://app/..%5csecret.txt',
      'vigil://app/..\\secret.txt',
      'vigil://app/index.html%00.png',
      'vigil://app/%252e%252e/secret.txt',
      'vigil://app/%E0%A4%A',
    ]) {
      const p = resolveAppPath(rendererDir, url);
      expect(p === null || p.startsWith(rendererDir + '/'), `${url} → ${p}`).toBe(true);
      expect(p, url).not.toBe(join(root, 'secret.txt'));
    }
  });

  it('refuses other schemes, hosts and oversized URLs', () => {
    for (const url of [
      'file:///etc/passwd',
      'https://app/index.html',
      'vigil://other/index.html',
      'vigil://app.evil/index.html',
      'vigil://app:1234/index.html',
      'not a url',
      `vigil://app/${'a'.repeat(MAX_APP_URL_LENGTH)}`,
    ]) {
      expect(resolveAppPath(rendererDir, url), url).toBeNull();
    }
  });

  it('is registered as a secure standard scheme that does not bypass CSP', () => {
    expect(APP_SCHEME_PRIVILEGES.scheme).toBe('vigil');
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES.privileges?.bypassCSP).toBeFalsy();
    expect(APP_SCHEME_PRIVILEGES.privileges?.corsEnabled).toBeFalsy();
    expect(APP_SCHEME_PRIVILEGES.privileges?.allowServiceWorkers).toBeFalsy();
  });
});

describe('vigil:// handler', () => {
  const handle = createAppHandler(rendererDir, CONTENT_SECURITY_POLICY);

  it('serves the page with the CSP header and its content type', async () => {
    const res = await handle(new Request(APP_ENTRY_URL));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>Vigil</title>');
    const js = await handle(new Request('vigil://app/assets/index-abc.js'));
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers 404 for traversal and missing files, 405 for writes', async () => {
    expect((await handle(new Request('vigil://app/%2e%2e/secret.txt'))).status).toBe(404);
    expect((await handle(new Request('vigil://app/../secret.txt'))).status).toBe(404);
    expect((await handle(new Request('vigil://app/nope.js'))).status).toBe(404);
    expect((await handle(new Request(APP_ENTRY_URL, { method: 'POST', body: 'x' }))).status).toBe(405);
  });

  it('knows the content types of the built renderer', () => {
    expect(contentTypeOf('a.css')).toBe('text/css; charset=utf-8');
    expect(contentTypeOf('a.PNG')).toBe('image/png');
    expect(contentTypeOf('a.exe')).toBe('application/octet-stream');
  });
});
