import { useEffect, useMemo, useState } from 'react';
import type { Alert, Incident } from '../../../../shared/protocol';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { alertChartSpec, alertWindow, incidentWindow } from '../../lib/chart-format';
import { incidentMarkers } from '../../lib/chart-overlays';
import { serverNow } from '../../store/clock';
import { toPanelData, type PanelState } from '../../store/charts';
import { ChartPanel } from './ChartPanel';
import './charts.css';

/**
 * The signal that explains an alert (or an incident, through the member that fired first), from
 * the chart cache (works offline): zoomed to its window, with the rule's lines evaluated when it
 * fired, and the incident marked on the time axis.
 */
export function AlertChart({
  alert,
  incident,
  onOpenIncident,
}: {
  alert: Alert;
  incident?: Incident;
  onOpenIncident?: (id: string) => void;
}) {
  const api = useApi();
  const [panel, setPanel] = useState<PanelState | undefined>(undefined);
  const spec = alertChartSpec(alert);
  const firedAt = Date.parse(alert.firedAt);
  const resolvedAt = incident?.resolvedAt ? Date.parse(incident.resolvedAt) : undefined;
  const incidentFired = incident ? Date.parse(incident.firedAt) : undefined;
  const { service, provider, model } = alert.labels;

  const win = useMemo(
    () =>
      incidentFired !== undefined
        ? incidentWindow(incidentFired, resolvedAt, serverNow())
        : alertWindow(firedAt, serverNow()),
    [firedAt, incidentFired, resolvedAt],
  );

  useEffect(() => {
    let live = true;
    const { fromMs, toMs } = win;
    const dims = { ...(service ? { service } : {}), ...(provider ? { provider } : {}), ...(model ? { model } : {}) };
    const load = (): void => {
      api
        .call('series.query', { metric: spec.metric, fromMs, toMs, referenceAtMs: firedAt, ...dims })
        .then((answer) => {
          if (live)
            setPanel({
              state: 'ready',
              data: toPanelData(
                {
                  id: 'alert',
                  title: spec.title,
                  hint: '',
                  kind: spec.kind,
                  queries: [{ metric: spec.metric, name: spec.title }],
                },
                [answer],
              ),
            });
        })
        .catch((err: unknown) => live && setPanel({ state: 'error', data: null, error: errorMessage(err) }));
    };
    load();
    const off = api.onPush((push) => {
      if (push.type === 'series-changed') load();
    });
    return () => {
      live = false;
      off();
    };
  }, [api, win, firedAt, service, provider, model, spec.metric, spec.kind, spec.title]);

  const markers = useMemo(
    () => (incident ? incidentMarkers([incident], win.fromMs / 1000, win.toMs / 1000) : []),
    [incident, win],
  );

  return (
    <ChartPanel
      id="alert"
      title={spec.title}
      hint={incident ? 'over the incident (band), with the rule’s lines' : 'around when it fired (dashed line)'}
      kind={spec.kind}
      panel={panel}
      height={140}
      markerX={firedAt / 1000}
      markers={markers}
      {...(onOpenIncident ? { onMarker: onOpenIncident } : {})}
      compact
    />
  );
}
