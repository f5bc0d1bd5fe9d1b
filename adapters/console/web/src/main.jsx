import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, onSessionLost } from './api.js';
import { AppContext, navigate } from './app.js';
import { initialLanguage, languages, translator } from './i18n.js';
import { SignIn } from './pages/SignIn.jsx';
import { Status } from './pages/Status.jsx';
import { Backups } from './pages/Backups.jsx';
import { History } from './pages/History.jsx';
import { Money } from './pages/Money.jsx';
import { Users } from './pages/Users.jsx';
import { Tokens } from './pages/Tokens.jsx';
import { Settings } from './pages/Settings.jsx';
import './style.css';

const pages = [
  { path: '/', key: 'status', Page: Status },
  { path: '/backups', key: 'backups', Page: Backups },
  // The instance service shows history to admins only.
  { path: '/history', key: 'history', Page: History, admin: true },
  { path: '/money', key: 'money', Page: Money },
  { path: '/tokens', key: 'tokens', Page: Tokens },
  { path: '/users', key: 'users', Page: Users, admin: true },
  { path: '/settings', key: 'settings', Page: Settings, admin: true },
];

function App() {
  const [lang, setLang] = useState(initialLanguage);
  const t = useMemo(() => translator(lang), [lang]);
  const [me, setMe] = useState(undefined); // undefined: not known yet; null: signed out
  const [notice, setNotice] = useState('');
  const [path, setPath] = useState(location.pathname);

  useEffect(() => {
    document.documentElement.lang = lang;
    localStorage.setItem('seatide.lang', lang);
  }, [lang]);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  useEffect(() => {
    api('GET', '/api/v2/me').then(setMe, () => setMe(null));
    return onSessionLost(() => {
      setMe(null);
      setNotice('sessionExpired');
    });
  }, []);
  // A second tab signing out (or in) is noticed when this one comes back.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') api('GET', '/api/v2/me').then(setMe, () => {});
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, []);

  const signOut = async () => {
    await api('DELETE', '/api/v2/session').catch(() => {});
    setMe(null);
    navigate('/');
  };

  const ctx = { t, me, setMe, lang };
  const visible = pages.filter((p) => !p.admin || (me && me.group === 'admin'));
  const current = pages.find((p) => p.path === path) || pages[0];
  const allowed = !current.admin || (me && me.group === 'admin');
  const Page = current.Page;

  return (
    <AppContext.Provider value={ctx}>
      <a class="skip" href="#main">{t('skip')}</a>
      <header class="top">
        <strong class="brand">{t('appName')}</strong>
        {me && (
          <nav aria-label={t('menu')}>
            <ul>
              {visible.map((p) => (
                <li key={p.path}>
                  <a
                    href={p.path}
                    aria-current={p === current ? 'page' : undefined}
                    onClick={(e) => {
                      e.preventDefault();
                      navigate(p.path);
                    }}
                  >
                    {t(p.key)}
                  </a>
                </li>
              ))}
            </ul>
          </nav>
        )}
        <div class="tools">
          <label>
            <span class="sr-only">{t('language')}</span>
            <select value={lang} onChange={(e) => setLang(e.currentTarget.value)} aria-label={t('language')}>
              {Object.entries(languages).map(([k, v]) => (
                <option key={k} value={k}>{v}</option>
              ))}
            </select>
          </label>
          {me && (
            <button type="button" class="link" onClick={signOut}>
              {t('signOut')} ({me.username})
            </button>
          )}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {me === undefined && <p role="status">{t('loading')}</p>}
        {me === null && <SignIn notice={notice} onSignedIn={(u) => { setNotice(''); setMe(u); }} />}
        {me && (allowed ? <Page key={current.path} /> : <p role="alert">{t('forbidden')}</p>)}
      </main>
    </AppContext.Provider>
  );
}

render(<App />, document.getElementById('app'));
