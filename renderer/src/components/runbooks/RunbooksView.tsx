import { useEffect, useState } from 'react';
import type { RunbookDoc } from '../../../../shared/runbooks/schema';
import { useApi } from '../../api/context';
import { errorMessage } from '../../api/results';
import { snippetParts } from '../../lib/runbook';
import { useRunbooksStore } from '../../store/runbooks';
import { RunbookWalker } from './RunbookWalker';
import './runbooks.css';

function Snippet({ text }: { text: string }) {
  return (
    <span className="rb-snippet">
      {snippetParts(text).map((p, i) => (p.hit ? <mark key={i}>{p.text}</mark> : <span key={i}>{p.text}</span>))}
    </span>
  );
}

/** Every runbook, searchable offline (FTS5 in the app cache), with the walker for the open one. */
export function RunbooksView() {
  const api = useApi();
  const { list, query, hits, openId, error, setList, setQuery, setHits, open, setError } = useRunbooksStore();
  const [doc, setDoc] = useState<RunbookDoc | null>(null);
  const [version, setVersion] = useState(0);

  useEffect(() => {
    api.call('runbooks.list', {}).then(setList, (err: unknown) => setError(errorMessage(err)));
    return api.onPush((push) => {
      if (push.type === 'runbooks-changed') setVersion((v) => v + 1);
    });
  }, [api, setList, setError, version]);

  useEffect(() => {
    if (query.trim() === '') return;
    const t = setTimeout(() => {
      api.call('runbooks.search', { query }).then(
        (h) => setHits(query, h),
        (err: unknown) => setError(errorMessage(err)),
      );
    }, 80);
    return () => clearTimeout(t);
  }, [api, query, setHits, setError, version]);

  useEffect(() => {
    if (openId === null) return setDoc(null);
    let live = true;
    api.call('runbooks.get', { id: openId }).then(
      (d) => live && setDoc(d),
      (err: unknown) => live && setError(errorMessage(err)),
    );
    return () => {
      live = false;
    };
  }, [api, openId, setError, version]);

  const searching = query.trim() !== '';
  return (
    <main className="rb-view" data-testid="runbooks-view">
      <aside className="rb-side">
        <input
          type="search"
          className="rb-search"
          placeholder="Search runbooks (works offline)"
          aria-label="Search runbooks"
          data-testid="runbook-search"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        {error && <p className="banner banner-warn">{error}</p>}
        <ul className="rb-list" data-testid={searching ? 'runbook-hits' : 'runbook-list'}>
          {searching
            ? hits.map((h) => (
                <li key={h.id}>
                  <button type="button" className="rb-item" aria-current={openId === h.id} data-testid="runbook-hit" data-id={h.id} onClick={() => open(h.id)}>
                    <span className="rb-item-title">{h.title}</span>
                    <Snippet text={h.snippet} />
                  </button>
                </li>
              ))
            : list.map((r) => (
                <li key={r.id}>
                  <button type="button" className="rb-item" aria-current={openId === r.id} data-id={r.id} onClick={() => open(r.id)}>
                    <span className="rb-item-title">{r.title}</span>
                    <span className="muted rb-item-meta">
                      {r.id} · {r.tier}
                    </span>
                  </button>
                </li>
              ))}
          {searching && hits.length === 0 && <li className="muted">No runbook matches “{query}”.</li>}
          {!searching && list.length === 0 && <li className="muted">No runbooks synced yet.</li>}
        </ul>
      </aside>
      <section className="rb-main">{doc ? <RunbookWalker doc={doc} /> : <p className="muted">Pick a runbook, or search for a symptom.</p>}</section>
    </main>
  );
}
