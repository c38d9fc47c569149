import DOMPurify from 'dompurify';
import MarkdownIt from 'markdown-it';

/**
 * Runbook Markdown → safe HTML. Two layers, so one mistake is not enough: markdown-it with raw
 * HTML off (a `<script>` in a runbook stays text) and a custom image rule (no remote loads),
 * then DOMPurify with a strict allow-list: no script, no event handlers, no styles, no SVG or
 * MathML, links only http(s)/mailto/#. External links open outside the app (target=_blank,
 * which Electron's window-open handler sends to the system browser).
 */

const ALLOWED_TAGS = [
  'p',
  'br',
  'hr',
  'strong',
  'em',
  's',
  'code',
  'pre',
  'blockquote',
  'ul',
  'ol',
  'li',
  'a',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'thead',
  'tbody',
  'tr',
  'th',
  'td',
  'span',
];
const ALLOWED_ATTR = ['href', 'title', 'target', 'rel', 'start'];
const SAFE_URI = /^(?:https?:\/\/|mailto:|#)/i;
const EXTERNAL = /^https?:\/\//i;

export type HtmlSanitizer = (html: string) => string;

/** A sanitiser bound to a window (the page's in the app, a test DOM in tests). */
export function createSanitizer(win: Window): HtmlSanitizer {
  const purify = DOMPurify(win as unknown as Parameters<typeof DOMPurify>[0]);
  purify.addHook('afterSanitizeAttributes', (node) => {
    if (node.nodeName !== 'A') return;
    const href = node.getAttribute('href');
    if (href === null) return;
    if (!SAFE_URI.test(href.trim())) {
      node.removeAttribute('href');
      return;
    }
    if (EXTERNAL.test(href.trim())) {
      node.setAttribute('target', '_blank');
      node.setAttribute('rel', 'noopener noreferrer');
    } else {
      node.removeAttribute('target');
    }
  });
  return (html) =>
    purify.sanitize(html, {
      ALLOWED_TAGS,
      ALLOWED_ATTR,
      ALLOWED_URI_REGEXP: SAFE_URI,
      ALLOW_DATA_ATTR: false,
      ALLOW_ARIA_ATTR: false,
      FORBID_TAGS: ['style', 'script', 'svg', 'math', 'img', 'iframe', 'object', 'embed', 'form', 'input'],
      KEEP_CONTENT: true,
      RETURN_TRUSTED_TYPE: false,
    });
}

function createMarkdownIt() {
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  // Images would load remote content: show their alt text instead.
  md.renderer.rules.image = (tokens, idx) => {
    const alt = tokens[idx]?.content ?? '';
    return `<span class="md-img-blocked" title="images are not loaded">[image: ${md.utils.escapeHtml(alt)}]</span>`;
  };
  return md;
}

export function createMarkdownRenderer(win: Window): (markdown: string) => string {
  const md = createMarkdownIt();
  const sanitize = createSanitizer(win);
  return (markdown) => sanitize(md.render(markdown));
}

let pageRenderer: ((markdown: string) => string) | null = null;

/** Renders with the page's window; created on first use. */
export function renderMarkdown(markdown: string): string {
  pageRenderer ??= createMarkdownRenderer(window);
  return pageRenderer(markdown);
}
