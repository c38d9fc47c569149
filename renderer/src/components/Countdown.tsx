import type { Alert } from '../../../shared/protocol';
import { useAlarmStore } from '../lib/alarm';
import { countdownView, isHeadingForEscalation } from '../lib/countdown';
import { useServerNow } from '../store/clock';

/** "4:59" to `iso` on the collector's clock, ticking every second, urgent in the last 5 minutes. */
export function DueCountdown({ iso, testId }: { iso: string; testId?: string }) {
  const now = useServerNow();
  const v = countdownView(Date.parse(iso), now);
  return (
    <time
      className={`esc-countdown${v.urgent ? ' urgent' : ''}${v.overdue ? ' overdue' : ''}`}
      dateTime={iso}
      data-testid={testId}
      data-urgent={v.urgent}
      title={`Escalates at ${new Date(iso).toLocaleTimeString()}`}
    >
      {v.text}
    </time>
  );
}

/** "escalates to bob in 4:59" for a page heading for escalation; nothing otherwise. */
export function EscalationCountdown({ alert, testId = 'escalation-countdown' }: { alert: Alert; testId?: string }) {
  const esc = alert.escalation;
  if (!esc || !isHeadingForEscalation(alert)) return null;
  return (
    <span className="esc-line" title={`Level ${esc.level}, held by ${esc.target}`}>
      escalates to <strong>{esc.nextTarget}</strong> in <DueCountdown iso={esc.dueAt} testId={testId} />
    </span>
  );
}

/** Top bar: the nearest escalation among the pages ringing for this user. */
export function AlarmCountdown() {
  const alarm = useAlarmStore((s) => s.alarm);
  const sound = useAlarmStore((s) => s.sound);
  if (!alarm || alarm.ringing.length === 0) return null;
  const n = alarm.ringing.length;
  return (
    <div className="alarm-top" data-testid="alarm-top" data-sound={sound} role="status">
      <span className="alarm-dot" aria-hidden="true" />
      {n} page{n === 1 ? '' : 's'} for you
      {alarm.nextDueAt && (
        <>
          {' '}
          · escalates in <DueCountdown iso={alarm.nextDueAt} testId="top-countdown" />
        </>
      )}
    </div>
  );
}
