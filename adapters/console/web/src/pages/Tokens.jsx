import { useEffect, useState } from 'preact/hooks';
import { del, get, post } from '../api.js';
import { useApp } from '../app.js';
import { Problem, when } from './common.jsx';

export function Tokens() {
  const { t, me, lang } = useApp();
  const [list, setList] = useState(null);
  const [error, setError] = useState(null);
  const [made, setMade] = useState('');
  const [form, setForm] = useState({ name: '', scope: 'read', days: 30 });
  const load = () => get('/api/v2/tokens').then((l) => { setList(l.tokens); setError(null); }, setError);
  useEffect(() => { load(); }, []);

  const create = async (e) => {
    e.preventDefault();
    try {
      const res = await post('/api/v2/tokens', { name: form.name, scopes: [form.scope], expires_in: form.days * 86400 });
      setMade(res.token);
      load();
    } catch (err) {
      setError(err);
    }
  };
  const scopes = me.group === 'admin' ? ['read', 'play', 'admin'] : ['read', 'play'];

  return (
    <section aria-labelledby="tokens-title">
      <h1 id="tokens-title">{t('tokens')}</h1>
      <Problem error={error} onRetry={load} />
      <form class="card inline" onSubmit={create}>
        <label>{t('name')}<input required maxLength={64} value={form.name} onInput={(e) => setForm({ ...form, name: e.currentTarget.value })} /></label>
        <label>{t('scopes')}
          <select value={form.scope} onChange={(e) => setForm({ ...form, scope: e.currentTarget.value })}>{scopes.map((s) => <option key={s}>{s}</option>)}</select>
        </label>
        <label>{t('expiresIn')}<input type="number" min={1} max={365} value={form.days} onInput={(e) => setForm({ ...form, days: Number(e.currentTarget.value) })} /></label>
        <button type="submit">{t('create')}</button>
      </form>
      {made && <p class="info" role="status">{t('tokenOnce')} <code data-testid="new-token">{made}</code></p>}
      {list && (
        <div class="table-wrap">
          <table>
            <thead><tr><th scope="col">{t('name')}</th><th scope="col">{t('scopes')}</th><th scope="col">{t('lastUsed')}</th><th scope="col"><span class="sr-only">{t('action')}</span></th></tr></thead>
            <tbody data-testid="tokens">
              {list.map((k) => (
                <tr key={k.id}>
                  <td>{k.name}</td><td>{(k.scopes || []).join(', ')}</td><td>{k.last_used_at ? when(k.last_used_at, lang) : t('never')}</td>
                  <td><button type="button" class="danger" onClick={() => del(`/api/v2/tokens/${encodeURIComponent(k.id)}`).then(load, setError)}>{t('revoke')}</button></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
