import type { CommandRequest, VigilApi } from '../../../shared/protocol';
import { toIso } from '../../../shared/clock';
import { errorMessage } from '../api/results';
import { COMMAND_NOUN } from '../lib/outbox';
import { serverNow } from './clock';
import { useOutboxStore } from './outbox';

/**
 * Sends one command. The Api answers as soon as the command is in the outbox, not when the
 * collector applied it; what happens next arrives as `outbox-changed` pushes. Returns whether
 * the Api accepted it, so a comment box knows whether to clear.
 */
export async function sendCommand(api: VigilApi, request: CommandRequest): Promise<boolean> {
  const store = useOutboxStore.getState();
  store.setSendError(null);
  try {
    const { commandId } = await api.call('alerts.command', request);
    store.addProvisional({
      id: commandId,
      kind: request.kind,
      alertId: request.alertId,
      createdAt: toIso(serverNow()),
      state: 'queued',
    });
    return true;
  } catch (err) {
    store.setSendError({
      alertId: request.alertId,
      text: `${COMMAND_NOUN[request.kind]} not sent: ${errorMessage(err)}`,
    });
    return false;
  }
}
