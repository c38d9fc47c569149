import { formatAgo, formatCountdown, formatStamp } from '../lib/time';
import { useServerNow } from '../store/clock';

/** "3m ago", re-rendered every second; the exact time is in the tooltip and the datetime attribute. */
export function Ago({ iso }: { iso: string }) {
  const now = useServerNow();
  const ms = Date.parse(iso);
  return (
    <time className="ago" dateTime={iso} title={formatStamp(ms, now)}>
      {formatAgo(ms, now)}
    </time>
  );
}

/** "12:04" until `iso`, or "overdue" once it passed (the collector will act on its own clock). */
export function Countdown({ iso }: { iso: string }) {
  const now = useServerNow();
  const remaining = Date.parse(iso) - now;
  return (
    <time className={remaining > 0 ? 'countdown' : 'countdown overdue'} dateTime={iso}>
      {remaining > 0 ? formatCountdown(remaining) : 'due now'}
    </time>
  );
}

/** An absolute time, "03:14:22" today or with the date otherwise. */
export function Stamp({ iso }: { iso: string }) {
  const now = useServerNow();
  return (
    <time dateTime={iso} className="stamp">
      {formatStamp(Date.parse(iso), now)}
    </time>
  );
}
