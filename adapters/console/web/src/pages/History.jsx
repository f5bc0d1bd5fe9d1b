import { useCallback, useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { useApp } from '../app.js';
import { Problem, when } from './common.jsx';

const actions = ['', 'create', 'init', 'start', 'stop', 'delete', 'istop', 'sstop', 'sdelete', 'bstop', 'ustop', 'udelete', 'reclaim'];

export function History() {
  const { t, lang } = useApp();
  const [filter, setFilter] = useState({ action: '', actor: '' });
  const [pages, setPages] = useState([]); // the `before` of each page shown
  const [data, setData] = useState(null);
  const [error, setError] = useState(null);

  const load = useCallback(async (before) => {
    const q = new URLSearchParams({ limit: '20' });
    if (before) q.set('before', String(before));
    if (filter.action) q.set('action', filter.action);
    if (filter.actor) q.set('actor', filter.actor);
    try {
      setData(await get(`/api/v2/history?${q}`));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, [filter]);
  useEffect(() => { setPages([]); load(0); }, [load]);

  return (
    <section aria-labelledby="history-title">
      <h1 id="history-title">{t('history')}</h1>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label>{t('action')}
          <select value={filter.action} onChange={(e) => setFilter({ ...filter, action: e.currentTarget.value })}>
            {actions.map((a) => <option key={a} value={a}>{a || t('all')}</option>)}
          </select>
        </label>
        <label>{t('actor')}
          <input value={filter.actor} onChange={(e) => setFilter({ ...filter, actor: e.currentTarget.value.trim() })} />
        </label>
      </form>
      <Problem error={error} onRetry={() => load(pages[pages.length - 1] || 0)} />
      {data && (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{t('when')}</th><th scope="col">{t('action')}</th><th scope="col">{t('actor')}</th><th scope="col">{t('result')}</th></tr></thead>
            <tbody data-testid="history">
              {data.items.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.started_at, lang)}</td><td>{e.action}</td><td>{e.actor}</td>
                  <td>{e.result}{e.detail ? ` · ${e.detail}` : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="pager">
        {pages.length > 0 && <button type="button" onClick={() => { const p = pages.slice(0, -1); setPages(p); load(p[p.length - 1] || 0); }}>←</button>}
        {data && data.next > 0 && <button type="button" onClick={() => { setPages([...pages, data.next]); load(data.next); }}>{t('more')} →</button>}
      </div>
    </section>
  );
}
