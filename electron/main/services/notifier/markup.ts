/**
 * Notification bodies on Linux are markup: daemons that announce "body-markup" (dunst, GNOME
 * Shell, KDE, mako, xfce4-notifyd) parse `<b>`, `<a href>`, `<img>` and entities in the body. An
 * alert summary or label comes from senders (an Alertmanager annotation, an Events-v2 summary), so
 * `<` would break the layout, hide text, or add a link. The body is escaped; the title (the spec's
 * "summary") is plain text by the spec, and dunst and GNOME quote it themselves: escaping it too
 * would show `&amp;` to the person being paged.
 */
const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes `& < > " '` so a markup-parsing daemon shows `text` exactly as it is. */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}
