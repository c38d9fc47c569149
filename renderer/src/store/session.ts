import type { ApiPush } from '../../../shared/protocol';
import type { Transport } from '../api/transport';
import { errorMessage } from '../api/results';
import { createCoalescer } from '../lib/coalesce';
import type { TransportState } from '../lib/connection';
import { useAlarmStore } from '../lib/alarm';
import { incidentsHoldingAlerts } from '../lib/incidents';
import { markTiming } from '../lib/timing';
import { useInboxStore, wantedIncidents } from './inbox';
import { useOutboxStore } from './outbox';
import { useRotationStore } from './rotation';
import { useSettingsStore } from './settings';
import { useSilencesStore } from './silences';
import { useSyncStore } from './sync';

/** How long a burst of `*-changed` pushes may last before we refetch once. */
const REFETCH_COALESCE_MS = 150;

/**
 * Wires the stores to the Api: loads everything whenever the link (re)opens, applies pushes,
 * refetches on `incidents-changed` / `alerts-changed` (coalesced) and keeps the detail of every
 * expanded or open incident, and of the open alert, fresh. Returns a disposer; nothing else in
 * the page talks to the Api except commands.
 */
export function startSession(transport: Transport): () => void {
  const { api } = transport;
  const inbox = useInboxStore.getState;
  const sync = useSyncStore.getState;
  const outbox = useOutboxStore.getState;
  const silences = useSilencesStore.getState;

  const loadList = async (): Promise<void> => {
    try {
      markTiming('vigil:incidents-requested');
      const list = await api.call('incidents.list', {});
      markTiming('vigil:incidents-received');
      inbox().setIncidents(list);
    } catch (err) {
      inbox().setListError(errorMessage(err));
    }
  };

  const loadIncident = async (id: string): Promise<void> => {
    inbox().startIncidentLoad(id);
    try {
      inbox().setIncidentDetail(id, await api.call('incidents.get', { id }));
    } catch (err) {
      inbox().setIncidentError(id, errorMessage(err));
    }
  };

  const loadAlert = async (): Promise<void> => {
    const open = inbox().open;
    if (open?.kind !== 'alert') return;
    try {
      inbox().setAlertDetail(open.id, await api.call('alerts.get', { id: open.id }));
    } catch (err) {
      inbox().setAlertError(open.id, errorMessage(err));
    }
  };

  const loadSilences = async (): Promise<void> => {
    try {
      silences().setSilences(await api.call('silences.list', {}));
    } catch (err) {
      silences().setError(errorMessage(err));
    }
  };

  const loadRotation = async (): Promise<void> => {
    const rotation = useRotationStore.getState();
    try {
      const [cached, changes] = await Promise.all([api.call('rotation.get', {}), api.call('rotation.changes', {})]);
      rotation.setCached(cached);
      rotation.setChanges(changes);
    } catch (err) {
      // A host without the rotation (unavailable): the calendar says so, the rest works.
      rotation.setError(errorMessage(err));
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

  const loadSettings = async (): Promise<void> => {
    const settings = useSettingsStore.getState();
    try {
      const [view, demo] = await Promise.all([api.call('settings.get', {}), api.call('demo.get', {})]);
      settings.setView(view);
      settings.setDemo(demo);
    } catch {
      // An older host without settings: the view says so; the rest works.
    }
  };

  // Incident details to refetch on the next coalesced run (null: every wanted one).
  let staleIncidents: Set<string> | null = new Set();
  const loadStaleIncidents = async (): Promise<void> => {
    const wanted = wantedIncidents(inbox());
    const ids = staleIncidents === null ? [...wanted] : [...staleIncidents].filter((id) => wanted.has(id));
    staleIncidents = new Set();
    await Promise.all(ids.map(loadIncident));
  };

  const listRefetch = createCoalescer(loadList, REFETCH_COALESCE_MS);
  const incidentRefetch = createCoalescer(loadStaleIncidents, REFETCH_COALESCE_MS);
  const alertRefetch = createCoalescer(loadAlert, REFETCH_COALESCE_MS);
  const silencesRefetch = createCoalescer(loadSilences, REFETCH_COALESCE_MS);
  const rotationRefetch = createCoalescer(loadRotation, REFETCH_COALESCE_MS);

  const refreshIncidents = (ids: Iterable<string> | 'all'): void => {
    if (ids === 'all') staleIncidents = null;
    else if (staleIncidents !== null) for (const id of ids) staleIncidents.add(id);
    incidentRefetch.trigger();
  };

  const loadAll = (): void => {
    void loadStatus();
    void loadOutbox();
    void loadAlarm();
    void loadList();
    void loadSettings();
    void loadSilences();
    void loadRotation();
    void loadAlert();
    for (const id of wantedIncidents(inbox())) void loadIncident(id);
  };

  const onPush = (push: ApiPush): void => {
    switch (push.type) {
      case 'incidents-changed':
        listRefetch.trigger();
        // An empty id list means "something changed, not sure what" (e.g. a snapshot replay).
        refreshIncidents(push.incidentIds.length === 0 ? 'all' : push.incidentIds);
        break;
      case 'alerts-changed': {
        // A member changed: its incident's counts and marks may have too.
        listRefetch.trigger();
        const open = inbox().open;
        const all = push.alertIds.length === 0;
        if (open?.kind === 'alert' && (all || push.alertIds.includes(open.id))) alertRefetch.trigger();
        if (all) refreshIncidents('all');
        else {
          const held = incidentsHoldingAlerts(inbox().incidents, push.alertIds);
          // A member that is new to its incident is not in the list's alertIds yet: look in the details too.
          for (const [id, entry] of Object.entries(inbox().details)) {
            if (entry?.detail?.alerts.some((a) => push.alertIds.includes(a.id))) held.add(id);
          }
          refreshIncidents(held);
        }
        break;
      }
      case 'silences-changed':
        silencesRefetch.trigger();
        break;
      case 'status-changed': {
        const was = sync().status?.state;
        sync().setStatus(push.status);
        // Back in touch with the collector: the cache may have moved a lot while we were away.
        if (was !== undefined && was !== 'connected' && push.status.state === 'connected') {
          listRefetch.trigger();
          refreshIncidents('all');
          alertRefetch.trigger();
          silencesRefetch.trigger();
        }
        break;
      }
      case 'outbox-changed':
        outbox().upsert(push.item);
        // A silence made or expired here shows as pending until the collector applies it.
        if (push.item.kind === 'silence' || push.item.kind === 'expire-silence') silencesRefetch.trigger();
        // An override made or removed here shows on the calendar (pending) until applied.
        if (push.item.kind === 'override' || push.item.kind === 'remove-override') rotationRefetch.trigger();
        break;
      case 'rotation-changed':
        rotationRefetch.trigger();
        break;
      case 'alarm-changed':
        useAlarmStore.getState().setAlarm(push.alarm);
        break;
      case 'settings-changed':
        // The services may have rebound (another user or collector): the pushes that follow re-read the rest.
        useSettingsStore.getState().setView(push.settings);
        loadAll();
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
  const unsubscribeOpen = useInboxStore.subscribe((s, prev) => {
    // Newly expanded or opened: load its detail (members, timeline) unless it is already there.
    if (s.expanded !== prev.expanded || s.open !== prev.open) {
      const before = wantedIncidents(prev);
      for (const id of wantedIncidents(s))
        if (!before.has(id) && s.details[id]?.state !== 'loading') void loadIncident(id);
    }
    if (s.open?.kind === 'alert' && (prev.open?.kind !== 'alert' || prev.open.id !== s.open.id)) void loadAlert();
  });
  onTransport(transport.state);

  return () => {
    unsubscribePush();
    unsubscribeTransport();
    unsubscribeOpen();
    listRefetch.dispose();
    incidentRefetch.dispose();
    alertRefetch.dispose();
    silencesRefetch.dispose();
    rotationRefetch.dispose();
  };
}
