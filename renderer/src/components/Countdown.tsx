import type { Incident } from '../../../shared/protocol';
import { useHolderText } from './rotation/ShiftLine';
import { useAlarmStore } from '../lib/alarm';
import { countdownView } from '../lib/countdown';
import { incidentHeadingForEscalation } from '../lib/incidents';
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

/** "escalates to bob in 4:59" for a paging incident heading for escalation; nothing otherwise. */
export function EscalationCountdown({
  incident,
  testId = 'escalation-countdown',
}: {
  incident: Incident;
  testId?: string;
}) {
  const holder = useHolderText();
  const esc = incident.escalation;
  if (!esc || !incidentHeadingForEscalation(incident)) return null;
  return (
    <span className="esc-line" title={`Level ${esc.level}, held by ${holder(esc.target)}`}>
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
