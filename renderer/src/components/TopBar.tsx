import { Fragment } from 'react';
import { describeConnection, describePending } from '../lib/connection';
import { AlarmCountdown } from './Countdown';
import { ShiftLine } from './rotation/ShiftLine';
import { DemoMenu } from './settings/DemoMenu';
import { useClockStore } from '../store/clock';
import { useSyncStore } from '../store/sync';

function ConnectionStatus() {
  const status = useSyncStore((s) => s.status);
  const transport = useSyncStore((s) => s.transport);
  // The sync status's times (since, next retry, last sync) are the desktop's own clock, not the
  // collector's: compare them with local now, or a skewed collector clock shifts every figure.
  const now = useClockStore((s) => s.localNow);
  const view = describeConnection(transport, status, now);
  return (
    <div
      className={`conn conn-${view.state}`}
      data-testid="connection-status"
      data-state={view.state}
      data-source={view.source}
      title={view.title}
    >
      <span className="conn-dot" aria-hidden="true" />
      {view.parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <span className="conn-sep"> · </span>}
          <span className={i === 0 ? 'conn-main' : 'conn-extra'}>{part}</span>
        </Fragment>
      ))}
    </div>
  );
}

function PendingCommands() {
  const count = useSyncStore((s) => s.status?.pendingCommands ?? 0);
  const text = describePending(count);
  if (!text) return null;
  return (
    <div
      className="pending-count"
      data-testid="pending-commands"
      data-count={count}
      title="Commands in the outbox, sent in order once the collector is reachable"
    >
      {text}
    </div>
  );
}

export function TopBar() {
  const user = useSyncStore((s) => s.status?.user);
  return (
    <header className="topbar">
      <div className="brand">
        <span className="brand-mark" aria-hidden="true" />
        Vigil
      </div>
      <ConnectionStatus />
      <PendingCommands />
      <AlarmCountdown />
      <div className="spacer" />
      <ShiftLine />
      <DemoMenu />
      {user && (
        <div className="user" data-testid="current-user" title={`Signed in as ${user}`}>
          <span className="avatar" aria-hidden="true">
            {user.slice(0, 1).toUpperCase()}
          </span>
          <span>{user}</span>
        </div>
      )}
    </header>
  );
}
