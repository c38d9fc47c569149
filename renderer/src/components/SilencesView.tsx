import type { Silence } from '../../../shared/protocol';
import { useApi } from '../api/context';
import { groupSilences, matchersText, silenceSync, silenceWhen, type SilenceState } from '../lib/silences';
import { useServerNow } from '../store/clock';
import { expireSilence, SILENCES_KEY } from '../store/commands';
import { useOutboxStore } from '../store/outbox';
import { useSilencesStore } from '../store/silences';
import { isOnline, useSyncStore } from '../store/sync';
import { Stamp } from './Time';

const SECTIONS: ReadonlyArray<[SilenceState, string, string]> = [
  ['active', 'Active', 'No silence is in force.'],
  ['pending', 'Pending', 'None scheduled.'],
  ['expired', 'Expired', 'None ended recently.'],
];

const SYNC_TEXT = {
  creating: (online: boolean) => (online ? 'sending…' : 'queued: applies when back online'),
  expiring: (online: boolean) => (online ? 'expiring…' : 'expiry queued: applies when back online'),
  refused: () => 'refused by the collector (see the outbox)',
} as const;

function SilenceItem({ silence, state, now }: { silence: Silence; state: SilenceState; now: number }) {
  const api = useApi();
  const items = useOutboxStore((s) => s.items);
  const expiring = useSilencesStore((s) => s.expiring);
  const online = useSyncStore(isOnline);
  const sync = silenceSync(silence.id, items, expiring);
  return (
    <li
      className={`silence silence-${state}`}
      data-testid="silence-item"
      data-silence-id={silence.id}
      data-state={state}
    >
      <div className="silence-matchers">
        {matchersText(silence).map((m) => (
          <code key={m} className="matcher-chip">
            {m}
          </code>
        ))}
      </div>
      <div className="silence-meta">
        <span>
          by <strong>{silence.createdBy}</strong>
        </span>
        <span data-testid="silence-when" title={`${silence.startsAt} → ${silence.endsAt}`}>
          {silenceWhen(silence, now)}
        </span>
        {state !== 'expired' && (
          <span className="muted">
            until <Stamp iso={silence.endsAt} />
          </span>
        )}
        {sync && (
          <span
            className={`silence-sync notice-${sync === 'refused' ? 'failed' : 'pending'}`}
            data-testid="silence-sync"
          >
            {SYNC_TEXT[sync](online)}
          </span>
        )}
      </div>
      {silence.comment && <p className="silence-comment">{silence.comment}</p>}
      {state !== 'expired' && (
        <button
          type="button"
          className="btn"
          disabled={sync === 'expiring'}
          data-testid="expire-silence"
          onClick={() => void expireSilence(api, silence.id)}
        >
          Expire now
        </button>
      )}
    </li>
  );
}

/** Every silence the collector holds (and the ones still in the outbox): active, pending, expired. */
export function SilencesView() {
  const silences = useSilencesStore((s) => s.silences);
  const loaded = useSilencesStore((s) => s.loaded);
  const error = useSilencesStore((s) => s.error);
  const sendError = useOutboxStore((s) => (s.sendError?.key === SILENCES_KEY ? s.sendError.text : null));
  const now = useServerNow();
  const groups = groupSilences(silences, now);
  return (
    <section className="silences" aria-label="Silences" data-testid="silences-view">
      <p className="muted">
        A silence keeps matching alerts quiet: recorded and shown as silenced, never notifying. Make one from an alert
        (“Silence alerts like this…”).
      </p>
      {error && <div className="banner banner-error">Could not load silences: {error}</div>}
      {sendError && (
        <div className="banner banner-error" role="alert">
          {sendError}
        </div>
      )}
      {!loaded && !error && <p className="muted">Loading silences…</p>}
      {loaded &&
        SECTIONS.map(([state, title, empty]) => (
          <div key={state} className="silence-section" data-testid={`silences-${state}`}>
            <h2 className="section-title">
              {title} <span className="tab-count">{groups[state].length}</span>
            </h2>
            {groups[state].length === 0 ? (
              <p className="muted">{empty}</p>
            ) : (
              <ul className="silence-list">
                {groups[state].map((s) => (
                  <SilenceItem key={s.id} silence={s} state={state} now={now} />
                ))}
              </ul>
            )}
          </div>
        ))}
    </section>
  );
}
