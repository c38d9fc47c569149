import { describe, expect, it } from 'vitest';
import {
  escapeMarkup,
  platformOptions,
  type DesktopNotification,
} from '../../electron/main/services/notifier/index.js';

const n: DesktopNotification = {
  id: 'a1',
  title: 'Error rate 31% on <checkout> & co',
  body: 'summary from a sender: <b>bold</b> <a href="https://evil.example">click</a> & it\'s "quoted"',
  loud: true,
  acknowledgeAction: true,
};

describe('notification markup (Linux daemons parse the body)', () => {
  it('escapes & < > " \' and nothing else', () => {
    expect(escapeMarkup(`<b>x</b> & "y" 'z'`)).toBe('&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot; &apos;z&apos;');
    expect(escapeMarkup('plain text, 100% fine: ü → ✓')).toBe('plain text, 100% fine: ü → ✓');
    // Already-escaped text is shown as written, not unescaped.
    expect(escapeMarkup('&amp;')).toBe('&amp;amp;');
    expect(escapeMarkup('')).toBe('');
  });

  it('node-notifier on Linux sends the body escaped; the title stays plain text (the daemon quotes it)', () => {
    const o = platformOptions('linux', n);
    expect(o.message).toBe(escapeMarkup(n.body));
    expect(o.message).not.toContain('<');
    expect(o.title).toBe(n.title);
    // Notification Center and toasts take plain text.
    expect(platformOptions('darwin', n).message).toBe(n.body);
    expect(platformOptions('win32', n).message).toBe(n.body);
  });
});
