import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../fixtures/browser.js';

/**
 * XSS payloads in runbook Markdown must render inert. The sanitiser (markdown-it + DOMPurify,
 * renderer/src/lib/markdown.ts) is bundled as is and run in real Chromium: a fake DOM would
 * test the fake, not the browser the app runs in.
 */
const ROOT = resolve(import.meta.dirname, '../..');

let browser: Browser;
let page: Page;

beforeAll(async () => {
  const bundle = await build({
    stdin: {
      contents:
        "import { createMarkdownRenderer, createSanitizer } from './renderer/src/lib/markdown';\n" +
        'const w = window as unknown as Record<string, unknown>;\n' +
        'w.renderRunbook = createMarkdownRenderer(window);\n' +
        'w.sanitizeRunbook = createSanitizer(window);\n',
      resolveDir: ROOT,
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    write: false,
    platform: 'browser',
    logLevel: 'silent',
    absWorkingDir: join(ROOT),
  });
  browser = await launchChromium();
  page = await browser.newPage();
  // Anything the page tries to fetch (a remote image, a script) is recorded and refused.
  await page.route('**/*', (route) => {
    requested.push(route.request().url());
    return route.abort();
  });
  await page.setContent('<!doctype html><html><body><div id="out"></div></body></html>');
  await page.addScriptTag({ content: bundle.outputFiles[0]?.text ?? '' });
  await page.evaluate(() => {
    (window as unknown as { alerted: number }).alerted = 0;
    window.alert = () => {
      (window as unknown as { alerted: number }).alerted += 1;
    };
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const requested: string[] = [];

/** Renders in the page, inserts the HTML into the live document, clicks every link, reports. */
async function renderInPage(markdown: string, raw = false) {
  return page.evaluate(
    async ({ markdown, raw }) => {
      const w = window as unknown as {
        renderRunbook: (m: string) => string;
        sanitizeRunbook: (h: string) => string;
        alerted: number;
      };
      const html = raw ? w.sanitizeRunbook(markdown) : w.renderRunbook(markdown);
      const out = document.getElementById('out') as HTMLElement;
      out.innerHTML = html;
      const bad: string[] = [];
      for (const el of out.querySelectorAll('*')) {
        const tag = el.tagName.toLowerCase();
        if (
          ['script', 'img', 'svg', 'iframe', 'object', 'embed', 'style', 'form', 'math', 'link', 'meta'].includes(tag)
        )
          bad.push(`tag ${tag}`);
        for (const a of el.getAttributeNames()) {
          if (a.startsWith('on') || ['src', 'srcset', 'style', 'formaction', 'xlink:href'].includes(a))
            bad.push(`${tag} @${a}`);
        }
        const href = el.getAttribute('href');
        if (href !== null && !/^(?:https?:\/\/|mailto:|#)/i.test(href)) bad.push(`href ${href}`);
        if (el instanceof HTMLAnchorElement && el.href.startsWith('https:') && el.target !== '_blank')
          bad.push('external link without target=_blank');
      }
      // Clicking must not run anything (javascript: links would call alert).
      for (const a of out.querySelectorAll('a')) {
        a.addEventListener('click', (e) => e.preventDefault());
        a.click();
      }
      await new Promise((r) => setTimeout(r, 20));
      return { html, bad, alerted: w.alerted };
    },
    { markdown, raw },
  );
}

const PAYLOADS: Record<string, string> = {
  'script tag': '<script>alert(1)</script>',
  'script with remote src': 'text <script src="https://evil.example/x.js"></script> more',
  'event handler attribute': '<img src=x onerror="alert(1)">',
  'handler on a div': '<div onmouseover="alert(1)">hover</div>',
  'javascript: link': '[click](javascript:alert(1))',
  'obfuscated javascript: link': '[click](jav&#x09;ascript:alert(1))',
  'upper-case JavaScript: link': '[click](JaVaScRiPt:alert(1))',
  'javascript: autolink': '<javascript:alert(1)>',
  'data: URL link': '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  'vbscript link': '[x](vbscript:msgbox(1))',
  'remote image': '![tracker](https://evil.example/pixel.png)',
  'data image': '![x](data:image/svg+xml;base64,PHN2Zy8+)',
  'inline SVG': '<svg onload="alert(1)"><script>alert(1)</script></svg>',
  iframe: '<iframe src="https://evil.example"></iframe>',
  'style tag': '<style>body{background:url(https://evil.example/x)}</style>',
  'reference-style javascript link': '[x][1]\n\n[1]: javascript:alert(1)',
};

describe('runbook markdown renders inert in Chromium', () => {
  for (const [name, payload] of Object.entries(PAYLOADS)) {
    it(name, async () => {
      const r = await renderInPage(payload);
      expect(r.bad, r.html).toEqual([]);
      expect(r.alerted).toBe(0);
    });
  }

  it('sanitises hostile HTML even if it got past markdown-it', async () => {
    const r = await renderInPage(
      '<a href="javascript:alert(1)" onclick="alert(1)">x</a><a href="data:text/html,x">y</a><img src="https://evil.example/x.png" onerror="alert(1)">' +
        '<svg><a xlink:href="javascript:alert(1)">z</a></svg><p style="background:url(https://evil.example/y)">p</p><math><mi xlink:href="javascript:alert(1)">m</mi></math>',
      true,
    );
    expect(r.bad, r.html).toEqual([]);
    expect(r.alerted).toBe(0);
    expect(r.html).toContain('<a>x</a>');
    expect(r.html).toContain('<p>p</p>');
  });

  it('shows raw HTML as text and a blocked image as its alt text', async () => {
    expect((await renderInPage('<script>alert(1)</script>')).html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect((await renderInPage('![status graph](https://evil.example/x.png)')).html).toContain('[image: status graph]');
  });

  it('keeps safe Markdown and sends http(s) links out of the app', async () => {
    const r = await renderInPage(
      '**Check** the [status page](https://status.openai.com) and `kubectl get pods`.\n\n- one\n- [mail](mailto:oncall@example.com)',
    );
    expect(r.bad).toEqual([]);
    expect(r.html).toContain('<strong>Check</strong>');
    expect(r.html).toContain(
      '<a href="https://status.openai.com" target="_blank" rel="noopener noreferrer">status page</a>',
    );
    expect(r.html).toContain('<code>kubectl get pods</code>');
    expect(r.html).toContain('href="mailto:oncall@example.com"');
  });

  it('loaded nothing remote for any payload', () => {
    expect(requested).toEqual([]);
  });
});
