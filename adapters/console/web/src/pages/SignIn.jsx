import { useState } from 'preact/hooks';
import { ApiError, api, v1 } from '../api.js';
import { useApp } from '../app.js';

export function SignIn({ notice, onSignedIn }) {
  const { t } = useApp();
  const [mode, setMode] = useState('in');
  const [form, setForm] = useState({ username: '', password: '', email: '' });
  const [error, setError] = useState('');
  const [info, setInfo] = useState(notice ? t(notice) : '');
  const [busy, setBusy] = useState(false);
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });

  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      if (mode === 'in') {
        onSignedIn(await api('POST', '/api/v2/session', { username: form.username, password: form.password }));
      } else {
        await v1('/api/user/v1/action', { type: 'create', username: form.username, password: form.password, email: form.email });
        setInfo(t('signedUp'));
        setMode('in');
      }
    } catch (err) {
      setError(err instanceof ApiError && err.status === 0 ? t('networkDown') : err.message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section class="card narrow" aria-labelledby="signin-title">
      <h1 id="signin-title">{mode === 'in' ? t('signIn') : t('signUp')}</h1>
      {info && <p class="info" role="status">{info}</p>}
      <form onSubmit={submit}>
        <label>
          {t('username')}
          <input name="username" autocomplete="username" required value={form.username} onInput={set('username')} />
        </label>
        {mode === 'up' && (
          <label>
            {t('email')}
            <input name="email" type="email" autocomplete="email" required value={form.email} onInput={set('email')} />
          </label>
        )}
        <label>
          {t('password')}
          <input name="password" type="password" required minLength={mode === 'up' ? 8 : undefined}
            autocomplete={mode === 'in' ? 'current-password' : 'new-password'} value={form.password} onInput={set('password')} />
        </label>
        {error && <p class="problem" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>{mode === 'in' ? t('signIn') : t('createAccount')}</button>
      </form>
      <button type="button" class="link" onClick={() => { setMode(mode === 'in' ? 'up' : 'in'); setError(''); }}>
        {mode === 'in' ? t('noAccount') : t('haveAccount')}
      </button>
    </section>
  );
}
