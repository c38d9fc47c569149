import { useCallback, useMemo } from 'react';
import { countByView, filterByView, type InboxView } from '../lib/alerts';
import { useAlertsStore } from '../store/alerts';
import { AlertRow } from './AlertRow';

const TABS: ReadonlyArray<[InboxView, string]> = [
  ['open', 'Open'],
  ['resolved', 'Resolved'],
  ['all', 'All'],
];

const EMPTY: Record<InboxView, string> = {
  open: 'All quiet. No open alerts.',
  resolved: 'Nothing resolved yet.',
  all: 'No alerts yet.',
};

function InboxTabs({ counts }: { counts: Record<InboxView, number> }) {
  const view = useAlertsStore((s) => s.view);
  const setView = useAlertsStore((s) => s.setView);
  return (
    <div className="tabs" role="tablist" aria-label="Filter alerts by status">
      {TABS.map(([id, label]) => (
        <button
          key={id}
          type="button"
          role="tab"
          aria-selected={view === id}
          aria-controls="inbox-list"
          className="tab"
          data-testid={`inbox-tab-${id}`}
          onClick={() => setView(id)}
        >
          {label}
          <span className="tab-count">{counts[id]}</span>
        </button>
      ))}
    </div>
  );
}

/** The inbox's keyboard shortcuts, as shown in its footer (handled in hooks/useInboxKeys.ts). */
const KEY_HINTS: readonly [readonly string[], string][] = [
  [['j', 'k'], 'move'],
  [['Enter'], 'open'],
  [['a'], 'ack'],
  [['m'], 'mitigated'],
  [['s'], 'snooze'],
  [['e'], 'escalate'],
  [['r'], 'resolve'],
  [['c'], 'comment'],
  [['Esc'], 'close'],
];

export function Inbox() {
  const alerts = useAlertsStore((s) => s.alerts);
  const view = useAlertsStore((s) => s.view);
  const loaded = useAlertsStore((s) => s.loaded);
  const listError = useAlertsStore((s) => s.listError);
  const cursorId = useAlertsStore((s) => s.cursorId);
  const openId = useAlertsStore((s) => s.openId);
  const open = useAlertsStore((s) => s.open);

  const counts = useMemo(() => countByView(alerts), [alerts]);
  const rows = useMemo(() => filterByView(alerts, view), [alerts, view]);
  const onOpen = useCallback((id: string) => open(id), [open]);

  return (
    <section className="inbox" aria-label="Inbox">
      <div className="pane-head">
        <h1 className="pane-title">Inbox</h1>
        <InboxTabs counts={counts} />
      </div>
      {listError && (
        <div className="banner banner-error" role="alert">
          Could not load alerts: {listError}
        </div>
      )}
      {!loaded && !listError ? (
        <div className="empty">Loading alerts…</div>
      ) : rows.length === 0 ? (
        <div className="empty" data-testid="inbox-empty">
          <div className="empty-mark" aria-hidden="true" />
          {EMPTY[view]}
        </div>
      ) : (
        <ul
          id="inbox-list"
          className="rows"
          role="listbox"
          aria-label="Alerts"
          tabIndex={0}
          aria-activedescendant={cursorId && rows.some((a) => a.id === cursorId) ? `alert-row-${cursorId}` : undefined}
        >
          {rows.map((a) => (
            <AlertRow key={a.id} alert={a} isCursor={a.id === cursorId} isOpen={a.id === openId} onOpen={onOpen} />
          ))}
        </ul>
      )}
      <footer className="inbox-foot" aria-hidden="true">
        {KEY_HINTS.map(([keys, what]) => (
          <span key={what} className="key-hint">
            {keys.map((k) => (
              <kbd key={k}>{k}</kbd>
            ))}{' '}
            {what}
          </span>
        ))}
      </footer>
    </section>
  );
}
