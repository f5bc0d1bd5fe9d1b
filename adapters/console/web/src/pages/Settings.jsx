import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { useApp } from '../app.js';
import { Problem } from './common.jsx';

export function Settings() {
  const { t } = useApp();
  const [cfg, setCfg] = useState(null);
  const [error, setError] = useState(null);
  const load = () => get('/api/v2/settings').then((c) => { setCfg(c); setError(null); }, setError);
  useEffect(() => { load(); }, []);
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">{t('settings')}</h1>
      <p class="muted">{t('secretsHidden')}</p>
      <Problem error={error} onRetry={load} />
      {cfg && <pre class="settings" data-testid="settings" tabIndex={0}>{JSON.stringify(cfg, null, 2)}</pre>}
    </section>
  );
}
