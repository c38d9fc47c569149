import type {
  CommandKind,
  CommandRequest,
  IncidentCommandRequest,
  SilenceRequest,
  VigilApi,
} from '../../../shared/protocol';
import { toIso } from '../../../shared/clock';
import { errorMessage } from '../api/results';
import { COMMAND_NOUN, targetKey, type CommandTarget } from '../lib/outbox';
import { serverNow } from './clock';
import { useOutboxStore } from './outbox';
import { useSilencesStore } from './silences';

/** Send errors of silence commands (they have no alert or incident) are kept under this key. */
export const SILENCES_KEY = 'silences';

/**
 * Runs one Api call that queues a command. The Api answers as soon as the command is in the
 * outbox, not when the collector applied it; what happens next arrives as `outbox-changed`
 * pushes. Returns the command id, or null when the Api refused it (shown as a send error).
 */
async function queue(
  kind: CommandKind,
  target: CommandTarget | null,
  call: () => Promise<{ commandId: string }>,
): Promise<string | null> {
  const store = useOutboxStore.getState();
  store.setSendError(null);
  try {
    const { commandId } = await call();
    store.addProvisional({ id: commandId, kind, ...target, createdAt: toIso(serverNow()), state: 'queued' });
    return commandId;
  } catch (err) {
    store.setSendError({
      key: target ? targetKey(target) : SILENCES_KEY,
      text: `${COMMAND_NOUN[kind]} not sent: ${errorMessage(err)}`,
    });
    return null;
  }
}

/** A command on one alert. Returns whether the Api accepted it, so a comment box knows whether to clear. */
export async function sendCommand(api: VigilApi, request: CommandRequest): Promise<boolean> {
  const id = await queue(request.kind, { alertId: request.alertId }, () => api.call('alerts.command', request));
  return id !== null;
}

/** A command on one incident, and so on all its open members. */
export async function sendIncidentCommand(api: VigilApi, request: IncidentCommandRequest): Promise<boolean> {
  const id = await queue(request.kind, { incidentId: request.incidentId }, () =>
    api.call('incidents.command', request),
  );
  return id !== null;
}

/** Either, by target: what the shared action bar and comment box call. */
export function sendTargeted(
  api: VigilApi,
  target: CommandTarget,
  req: Omit<CommandRequest, 'alertId'>,
): Promise<boolean> {
  return 'alertId' in target
    ? sendCommand(api, { ...req, alertId: target.alertId })
    : sendIncidentCommand(api, { ...req, incidentId: target.incidentId });
}

/** Queues a new silence (works offline: the outbox sends it on reconnect). */
export async function createSilence(api: VigilApi, request: SilenceRequest): Promise<boolean> {
  return (await queue('silence', null, () => api.call('silences.create', request))) !== null;
}

/** Ends a silence now; the Silences view shows it as expiring until the collector applied it. */
export async function expireSilence(api: VigilApi, silenceId: string): Promise<boolean> {
  const id = await queue('expire-silence', null, () => api.call('silences.expire', { id: silenceId }));
  if (id !== null) useSilencesStore.getState().markExpiring(silenceId, id);
  return id !== null;
}
