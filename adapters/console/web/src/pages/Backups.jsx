import { useEffect, useState } from 'preact/hooks';
import { del, get, post } from '../api.js';
import { useApp } from '../app.js';
import { Problem, when } from './common.jsx';

export function Backups() {
  const { t, me, lang } = useApp();
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  const admin = me.group === 'admin';
  const load = () => get('/api/v2/backups').then((b) => { setList(b.backups); setError(null); }, setError);
  useEffect(() => { load(); }, []);
  const run = (p) => p.then(load, setError);

  return (
    <section aria-labelledby="backups-title">
      <h1 id="backups-title">{t('backups')}</h1>
      <Problem error={error} onRetry={load} />
      {admin && <button type="button" onClick={() => run(post('/api/v2/backups'))}>{t('backupNow')}</button>}
      {list && (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{t('created')}</th><th scope="col">{t('size')}</th><th scope="col">{t('state')}</th><th scope="col">{t('source')}</th>{admin && <th scope="col"><span class="sr-only">{t('action')}</span></th>}</tr></thead>
            <tbody data-testid="backups">
              {list.map((b) => (
                <tr key={b.id}>
                  <td>{when(b.created_at, lang)}</td><td>{b.size_gib} GiB</td><td>{b.state}{b.restore_next ? ` · ${t('restoreNext')}` : ''}{b.error ? `: ${b.error}` : ''}</td><td>{b.source}</td>
                  {admin && (
                    <td class="row-actions">
                      <button type="button" disabled={b.state !== 'ready'} onClick={() => run(post(`/api/v2/backups/${encodeURIComponent(b.id)}/restore`))}>{t('restore')}</button>
                      <button type="button" class="danger" onClick={() => run(del(`/api/v2/backups/${encodeURIComponent(b.id)}`))}>{t('delete')}</button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
