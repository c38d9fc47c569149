import type { ApiPush } from '../../../shared/protocol';
import type { Transport } from '../api/transport';
import { errorMessage } from '../api/results';
import { createCoalescer } from '../lib/coalesce';
import type { TransportState } from '../lib/connection';
import { useAlarmStore } from '../lib/alarm';
import { useAlertsStore } from './alerts';
import { useOutboxStore } from './outbox';
import { useSyncStore } from './sync';

/** How long a burst of `alerts-changed` pushes may last before we refetch once. */
const REFETCH_COALESCE_MS = 150;

/**
 * Wires the stores to the Api: loads everything whenever the link (re)opens, applies pushes,
 * refetches on `alerts-changed` (coalesced) and loads the detail of whichever alert is open.
 * Returns a disposer; nothing else in the page talks to the Api except commands.
 */
export function startSession(transport: Transport): () => void {
  const { api } = transport;
  const alerts = useAlertsStore.getState;
  const sync = useSyncStore.getState;
  const outbox = useOutboxStore.getState;

  const loadList = async (): Promise<void> => {
    try {
      alerts().setAlerts(await api.call('alerts.list', {}));
    } catch (err) {
      alerts().setListError(errorMessage(err));
    }
  };

  const loadDetail = async (): Promise<void> => {
    const id = alerts().openId;
    if (id === null) return;
    try {
      alerts().setDetail(id, await api.call('alerts.get', { id }));
    } catch (err) {
      alerts().setDetailError(id, errorMessage(err));
    }
  };

  const loadStatus = async (): Promise<void> => {
    try {
      sync().setStatus(await api.call('status.get', {}));
    } catch {
      // The bridge reports its own state; a failed status read is retried on the next (re)connect.
    }
  };

  const loadOutbox = async (): Promise<void> => {
    try {
      outbox().setItems(await api.call('outbox.list', {}));
    } catch {
      // Same as status: pushes and the next reconnect fill it in.
    }
  };

  const loadAlarm = async (): Promise<void> => {
    try {
      useAlarmStore.getState().setAlarm(await api.call('alarm.get', {}));
    } catch {
      // A host without an Alarm (unavailable) simply never rings in the page.
    }
  };

  const listRefetch = createCoalescer(loadList, REFETCH_COALESCE_MS);
  const detailRefetch = createCoalescer(loadDetail, REFETCH_COALESCE_MS);

  const loadAll = (): void => {
    void loadStatus();
    void loadOutbox();
    void loadAlarm();
    void loadList();
    void loadDetail();
  };

  const onPush = (push: ApiPush): void => {
    switch (push.type) {
      case 'alerts-changed': {
        listRefetch.trigger();
        const open = alerts().openId;
        // An empty id list means "something changed, not sure what" (e.g. a snapshot replay).
        if (open !== null && (push.alertIds.length === 0 || push.alertIds.includes(open))) detailRefetch.trigger();
        break;
      }
      case 'status-changed': {
        const was = sync().status?.state;
        sync().setStatus(push.status);
        // Back in touch with the collector: the cache may have moved a lot while we were away.
        if (was !== undefined && was !== 'connected' && push.status.state === 'connected') {
          listRefetch.trigger();
          detailRefetch.trigger();
        }
        break;
      }
      case 'outbox-changed':
        outbox().upsert(push.item);
        break;
      case 'alarm-changed':
        useAlarmStore.getState().setAlarm(push.alarm);
        break;
    }
  };

  const onTransport = (state: TransportState): void => {
    sync().setTransport(state);
    // Pushes sent while the bridge was down are lost, so every (re)open starts from a full read.
    if (state.kind === 'ready') loadAll();
  };

  const unsubscribePush = api.onPush(onPush);
  const unsubscribeTransport = transport.onState(onTransport);
  const unsubscribeOpen = useAlertsStore.subscribe((s, prev) => {
    if (s.openId !== null && s.openId !== prev.openId) void loadDetail();
  });
  onTransport(transport.state);

  return () => {
    unsubscribePush();
    unsubscribeTransport();
    unsubscribeOpen();
    listRefetch.dispose();
    detailRefetch.dispose();
  };
}
