import { noticesFor, targetKey, type CommandTarget } from '../lib/outbox';
import { useOutboxStore } from '../store/outbox';
import { isOnline, useSyncStore } from '../store/sync';

/**
 * What happened to this alert's (or incident's) commands: queued, sent, or refused by the collector. Conflicts
 * stay until dismissed, because "your ack did not count" is exactly what must not slip by.
 */
export function Notices({ target }: { target: CommandTarget }) {
  const items = useOutboxStore((s) => s.items);
  const dismissed = useOutboxStore((s) => s.dismissed);
  const dismiss = useOutboxStore((s) => s.dismiss);
  const sendError = useOutboxStore((s) => s.sendError);
  const setSendError = useOutboxStore((s) => s.setSendError);
  const online = useSyncStore(isOnline);
  const notices = noticesFor(items, target, online, dismissed);
  const error = sendError?.key === targetKey(target) ? sendError : null;
  if (notices.length === 0 && !error) return null;

  return (
    <div className="notices" data-testid="command-notices">
      {error && (
        <div className="notice notice-failed" role="alert">
          <span>{error.text}</span>
          <button type="button" className="link" onClick={() => setSendError(null)}>
            Dismiss
          </button>
        </div>
      )}
      {notices.map((n) => (
        <div
          key={n.id}
          className={`notice notice-${n.tone}`}
          data-testid={`command-${n.tone}`}
          role={n.tone === 'pending' ? undefined : 'alert'}
        >
          {n.tone === 'pending' && <span className="spinner" aria-hidden="true" />}
          <span>{n.text}</span>
          {n.tone !== 'pending' && (
            <button type="button" className="link" onClick={() => dismiss(n.id)}>
              Dismiss
            </button>
          )}
        </div>
      ))}
    </div>
  );
}
