import { useCallback, useEffect, useRef, useState } from 'react';
import type { ApiPush, VigilApi } from '../../../../shared/protocol';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';

/** Pushes after which postmortem, action-item and review reads may answer differently. */
const RELOAD_ON: ReadonlySet<ApiPush['type']> = new Set([
  'postmortems-changed',
  'alerts-changed',
  'incidents-changed',
  'rotation-changed',
]);

/**
 * Loads one Api read and reloads it whenever a push says postmortems, review marks, alerts or the
 * rotation (the team's zone) changed. `key` changes (another week, another incident) reload too.
 */
export function usePostmortemData<T>(
  read: (api: VigilApi) => Promise<T>,
  key: string,
): { data: T | undefined; error: string | null; reload: () => void } {
  const api = useApi();
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const readRef = useRef(read);
  readRef.current = read;
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    readRef
      .current(api)
      .then((d) => {
        if (mine !== seq.current) return;
        setData(d);
        setError(null);
      })
      .catch((err: unknown) => {
        if (mine === seq.current) setError(errorMessage(err));
      });
  }, [api]);
  useEffect(() => {
    reload();
    return api.onPush((p) => {
      if (RELOAD_ON.has(p.type)) reload();
    });
  }, [api, reload, key]);
  return { data, error, reload };
}

/** Saves text as a file in the page (the Markdown export). */
export function download(filename: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
