import type { AlertStatus, IncidentStatus, Tier } from '../../../shared/protocol';
import { STATUS_LABEL, TIER_HINT, TIER_LABEL } from '../lib/alerts';
import { memberMarkText, type MemberMark } from '../lib/incidents';

/** PAGE / TICKET / REVIEW; colour and word both carry the tier, so it survives colour blindness. */
export function TierBadge({ tier }: { tier: Tier }) {
  return (
    <span className={`tier tier-${tier}`} title={TIER_HINT[tier]}>
      {TIER_LABEL[tier]}
    </span>
  );
}

/** Alert and incident statuses share names (an incident is never "pending"). */
export function StatusPill({ status }: { status: AlertStatus | IncidentStatus }) {
  return <span className={`status status-${status}`}>{STATUS_LABEL[status]}</span>;
}

/** A muted mark for an alert that never notifies on its own: "inhibited by provider-down", "silenced". */
export function MuteBadge({ mark }: { mark: MemberMark }) {
  return (
    <span
      className={`mute mute-${mark.kind}`}
      data-testid={`member-${mark.kind}`}
      title={
        mark.kind === 'inhibited'
          ? 'Held quiet by an inhibition rule while its cause fires; it joined the cause’s incident'
          : `Matched by silence ${mark.silenceId}: recorded, never notifies`
      }
    >
      {memberMarkText(mark)}
    </span>
  );
}
