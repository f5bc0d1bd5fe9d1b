import { useApp } from '../app.js';

// Problem shows a failure the way people read it: the server's detail when
// it sent one, else what we know of the status.
export function Problem({ error, onRetry }) {
  const { t } = useApp();
  if (!error) return null;
  let text = error.message;
  if (error.status === 0) text = t('networkDown');
  else if (error.status === 404) text = t('notAvailable');
  else if (error.status === 403) text = error.problem.detail || t('forbidden');
  return (
    <div class="problem" role="alert">
      <span>{text}</span>
      {onRetry && <button type="button" onClick={onRetry}>{t('retry')}</button>}
    </div>
  );
}

export function when(s, lang) {
  if (!s) return '';
  return new Date(s).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short' });
}
