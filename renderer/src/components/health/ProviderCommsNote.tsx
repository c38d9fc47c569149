import { useEffect, useState } from 'react';
import { commsNoteFor } from '../../../../shared/health/comms-note';
import type { Alert } from '../../../../shared/protocol';
import { viewerZone } from '../../lib/rotation';
import { useServerNow } from '../../store/clock';

const COPIED_MS = 1500;

/**
 * Issue 15: on a provider-down incident, a customer-comms note (what is affected, since when,
 * next update) with a copy button. Renders nothing for other incidents.
 */
export function ProviderCommsNote({ alerts }: { alerts: readonly Alert[] }) {
  const now = useServerNow();
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const t = setTimeout(() => setState('idle'), COPIED_MS);
    return () => clearTimeout(t);
  }, [state]);
  // Per minute, not per clock tick: the note's "next update" moves by the minute.
  const minute = Math.floor(now / 60_000);
  const note = commsNoteFor(alerts, minute * 60_000, viewerZone());
  if (note === null) return null;
  const copy = (): void => {
    navigator.clipboard.writeText(note).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <div className="comms-note" data-testid="comms-note">
      <h3 className="section-title">
        Customer update{' '}
        <button type="button" className="btn btn-small" onClick={copy} data-testid="copy-comms-note">
          {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
        </button>
      </h3>
      <pre>{note}</pre>
    </div>
  );
}
