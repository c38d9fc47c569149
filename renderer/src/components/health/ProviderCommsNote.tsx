import { commsNoteFor } from '../../../../shared/health/comms-note';
import type { Alert } from '../../../../shared/protocol';
import { viewerZone } from '../../lib/rotation';
import { useServerNow } from '../../store/clock';
import { CopyButton } from '../CopyButton';

/**
 * Issue 15: on a provider-down incident, a customer-comms note (what is affected, since when,
 * next update) with a copy button. Renders nothing for other incidents.
 */
export function ProviderCommsNote({ alerts }: { alerts: readonly Alert[] }) {
  const now = useServerNow();
  // Per minute, not per clock tick: the note's "next update" moves by the minute.
  const minute = Math.floor(now / 60_000);
  const note = commsNoteFor(alerts, minute * 60_000, viewerZone());
  if (note === null) return null;
  return (
    <div className="comms-note" data-testid="comms-note">
      <h3 className="section-title">
        Customer update <CopyButton text={note} testId="copy-comms-note" />
      </h3>
      <pre>{note}</pre>
    </div>
  );
}
