import type { AlertStatus, Tier } from '../../../shared/protocol';
import { STATUS_LABEL, TIER_HINT, TIER_LABEL } from '../lib/alerts';

/** PAGE / TICKET / REVIEW; colour and word both carry the tier, so it survives colour blindness. */
export function TierBadge({ tier }: { tier: Tier }) {
  return (
    <span className={`tier tier-${tier}`} title={TIER_HINT[tier]}>
      {TIER_LABEL[tier]}
    </span>
  );
}

export function StatusPill({ status }: { status: AlertStatus }) {
  return <span className={`status status-${status}`}>{STATUS_LABEL[status]}</span>;
}
