import { useEffect, useState } from 'react';
import type { Alert } from '../../../../shared/protocol';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { alertChartSpec, alertWindow } from '../../lib/chart-format';
import { serverNow } from '../../store/clock';
import { toPanelData, type PanelState } from '../../store/charts';
import { ChartPanel } from './ChartPanel';
import './charts.css';

/** The alert's own signal around the moment it fired, from the chart cache (works offline). */
export function AlertChart({ alert }: { alert: Alert }) {
  const api = useApi();
  const [panel, setPanel] = useState<PanelState | undefined>(undefined);
  const spec = alertChartSpec(alert);
  const firedAt = Date.parse(alert.firedAt);
  const { service, provider, model } = alert.labels;

  useEffect(() => {
    let live = true;
    const { fromMs, toMs } = alertWindow(firedAt, serverNow());
    const dims = { ...(service ? { service } : {}), ...(provider ? { provider } : {}), ...(model ? { model } : {}) };
    const load = (): void => {
      api
        .call('series.query', { metric: spec.metric, fromMs, toMs, ...dims })
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
  }, [api, firedAt, service, provider, model, spec.metric, spec.kind, spec.title]);

  return (
    <ChartPanel
      id="alert"
      title={spec.title}
      hint="around when it fired (dashed line)"
      kind={spec.kind}
      panel={panel}
      height={140}
      markerX={firedAt / 1000}
      compact
    />
  );
}
