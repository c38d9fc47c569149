import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type {
  Alert,
  ApiMethod,
  ApiParams,
  ApiPush,
  ApiResult,
  Incident,
  IncidentDetail,
  VigilApi,
} from '../../shared/protocol';
import type { Transport } from '../../renderer/src/api/transport';
import type { TransportState } from '../../renderer/src/lib/connection';
import { startSession } from '../../renderer/src/store/session';
import { useInboxStore } from '../../renderer/src/store/inbox';
import { useSilencesStore } from '../../renderer/src/store/silences';

const T0 = '2025-03-04T03:00:00Z';

function incident(id: string, alertIds: string[]): Incident {
  return { id, key: id, tier: 'page', status: 'firing', title: id, alertIds, firedAt: T0 };
}
function alert(id: string, incidentId: string): Alert {
  return {
    id,
    ruleId: 'error-rate',
    tier: 'page',
    status: 'firing',
    source: 'rules',
    summary: id,
    labels: {},
    firedAt: T0,
    incidentId,
  };
}

/** An Api answering from plain data, recording every call. */
function fakeApi(data: { incidents: Incident[]; details: Record<string, IncidentDetail> }) {
  const calls: string[] = [];
  const listeners = new Set<(p: ApiPush) => void>();
  const api: VigilApi = {
    call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
      const p = params as { id?: string };
      calls.push(p.id ? `${method} ${p.id}` : method);
      const answers: Partial<Record<ApiMethod, unknown>> = {
        'incidents.list': data.incidents,
        'incidents.get': p.id ? (data.details[p.id] ?? null) : null,
        'silences.list': [],
        'outbox.list': [],
        'alarm.get': { user: 'alice', ringing: [], watching: [] },
      };
      if (method in answers) return Promise.resolve(answers[method] as ApiResult<M>);
      return Promise.reject(new Error(`${method} unavailable`));
    },
    onPush(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
  };
  const push = (p: ApiPush) => listeners.forEach((l) => l(p));
  return { api, calls, push };
}

function transportOf(api: VigilApi): Transport {
  const state: TransportState = { kind: 'ready' };
  return { api, state, onState: () => () => {}, dispose: () => {} };
}

const flush = async (): Promise<void> => {
  await vi.advanceTimersByTimeAsync(200);
};

describe('session: the inbox stays in step with pushes', () => {
  const data = {
    incidents: [incident('i1', ['a1', 'a2']), incident('i2', ['a3'])],
    details: {
      i1: { incident: incident('i1', ['a1', 'a2']), alerts: [alert('a1', 'i1'), alert('a2', 'i1')], timeline: [] },
      i2: { incident: incident('i2', ['a3']), alerts: [alert('a3', 'i2')], timeline: [] },
    } as Record<string, IncidentDetail>,
  };
  let stop: () => void = () => {};

  beforeEach(() => {
    vi.useFakeTimers();
    useInboxStore.setState({
      incidents: [],
      loaded: false,
      expanded: new Set(),
      details: {},
      open: null,
      cursor: null,
    });
    useSilencesStore.setState({ silences: [], loaded: false });
  });
  afterEach(() => {
    stop();
    vi.useRealTimers();
  });

  it('loads incidents and silences on open, and an incident’s members when it is expanded', async () => {
    const f = fakeApi(data);
    stop = startSession(transportOf(f.api));
    await flush();
    expect(useInboxStore.getState().incidents.map((i) => i.id)).toEqual(['i1', 'i2']);
    expect(useSilencesStore.getState().loaded).toBe(true);
    useInboxStore.getState().setExpanded('i1');
    await flush();
    expect(useInboxStore.getState().details.i1?.detail?.alerts.map((a) => a.id)).toEqual(['a1', 'a2']);
    expect(f.calls.filter((c) => c.startsWith('incidents.get'))).toEqual(['incidents.get i1']);
  });

  it('refetches the list and only the named, expanded incidents on incidents-changed (a burst once)', async () => {
    const f = fakeApi(data);
    stop = startSession(transportOf(f.api));
    useInboxStore.getState().setExpanded('i1');
    await flush();
    f.calls.length = 0;
    for (let n = 0; n < 5; n++) f.push({ type: 'incidents-changed', incidentIds: ['i1', 'i2'] });
    await flush();
    expect(f.calls.sort()).toEqual(['incidents.get i1', 'incidents.list']);
  });

  it('on alerts-changed refetches the incident holding the alert, and the open alert', async () => {
    const f = fakeApi(data);
    stop = startSession(transportOf(f.api));
    useInboxStore.getState().setExpanded('i1');
    useInboxStore.getState().setExpanded('i2');
    await flush();
    f.calls.length = 0;
    f.push({ type: 'alerts-changed', alertIds: ['a3'] });
    await flush();
    expect(f.calls.sort()).toEqual(['incidents.get i2', 'incidents.list']);
  });

  it('re-reads silences on silences-changed and on a silence command’s outbox change', async () => {
    const f = fakeApi(data);
    stop = startSession(transportOf(f.api));
    await flush();
    f.calls.length = 0;
    f.push({ type: 'silences-changed', count: 1 });
    await flush();
    f.push({
      type: 'outbox-changed',
      item: { id: 'c1', kind: 'silence', createdAt: T0, state: 'applied' },
    });
    await flush();
    expect(f.calls).toEqual(['silences.list', 'silences.list']);
  });
});
