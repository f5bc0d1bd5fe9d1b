import { useEffect, useState } from 'preact/hooks';
import { del, get, patch } from '../api.js';
import { useApp } from '../app.js';
import { Problem, when } from './common.jsx';

export function Users() {
  const { t, me, lang } = useApp();
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  const load = () => get('/api/v2/users?size=100').then((u) => { setList(u.users); setError(null); }, setError);
  useEffect(() => { load(); }, []);
  const run = (p) => p.then(load, setError);
  const path = (u) => `/api/v2/users/${encodeURIComponent(u.username)}`;

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">{t('users')}</h1>
      <Problem error={error} onRetry={load} />
      {list && (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{t('username')}</th><th scope="col">{t('email')}</th><th scope="col">{t('group')}</th><th scope="col">{t('state')}</th><th scope="col">{t('created')}</th><th scope="col"><span class="sr-only">{t('action')}</span></th></tr></thead>
            <tbody data-testid="users">
              {list.map((u) => (
                <tr key={u.id} data-user={u.username}>
                  <td>{u.username}</td><td>{u.email}</td><td>{u.group}</td>
                  <td>{u.approved === false ? t('pending') : t('approved')}</td><td>{when(u.created_at, lang)}</td>
                  <td class="row-actions">
                    {u.approved === false && <button type="button" data-do="approve" onClick={() => run(patch(path(u), { approved: true }))}>{t('approve')}</button>}
                    {u.username !== me.username && (
                      <>
                        <button type="button" onClick={() => run(patch(path(u), { group: u.group === 'admin' ? 'std' : 'admin' }))}>{u.group === 'admin' ? t('demote') : t('promote')}</button>
                        <button type="button" class="danger" onClick={() => confirm(`${t('delete')} ${u.username}?`) && run(del(path(u)))}>{t('delete')}</button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
