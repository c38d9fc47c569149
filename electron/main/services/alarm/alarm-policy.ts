import type { Alert } from '../../../../shared/protocol/alert.js';
import type { AlarmPage } from '../../../../shared/protocol/alarm.js';

/** What the desktop does about one alert, for this user. */
export type AlarmAction = 'ring' | 'watch' | 'notify-once' | 'none';

/**
 * Pure: a firing page held by this user rings (tier 1); a firing page held by someone else is
 * shown but not rung until it escalates here; a ticket gets one quiet notification (tier 2);
 * reviews get nothing (tier 3: the weekly digest).
 */
export function alarmAction(alert: Alert, user: string): AlarmAction {
  if (alert.status !== 'firing') return 'none';
  if (alert.tier === 'page') return alert.escalation?.target === user ? 'ring' : 'watch';
  if (alert.tier === 'ticket') return 'notify-once';
  return 'none';
}

export function alarmPage(alert: Alert): AlarmPage {
  const e = alert.escalation;
  return {
    alertId: alert.id,
    summary: alert.summary,
    level: e?.level ?? 1,
    target: e?.target ?? '',
    ...(e?.nextTarget !== undefined ? { dueAt: e.dueAt, nextTarget: e.nextTarget } : {}),
  };
}

/** "4m 05s", for notification bodies and the tray. */
export function formatRemaining(ms: number): string {
  if (ms <= 0) return 'now';
  const s = Math.ceil(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h > 0) return `${h}h ${String(m).padStart(2, '0')}m`;
  return `${m}m ${String(sec).padStart(2, '0')}s`;
}

/** The notification text for a ringing page. */
export function ringText(alert: Alert, nowServerMs: number): { title: string; body: string } {
  const e = alert.escalation;
  const where = [alert.labels.service, alert.labels.provider, alert.labels.model].filter(Boolean).join(' · ');
  const next =
    e?.nextTarget !== undefined
      ? `escalates to ${e.nextTarget} in ${formatRemaining(Date.parse(e.dueAt) - nowServerMs)}`
      : 'last escalation level';
  return { title: alert.summary, body: [`Page, level ${e?.level ?? 1}`, where, next].filter(Boolean).join(' — ') };
}
