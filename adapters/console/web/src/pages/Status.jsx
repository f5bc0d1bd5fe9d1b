import { useCallback, useEffect, useState } from 'preact/hooks';
import { get, post } from '../api.js';
import { useApp } from '../app.js';
import { useLive } from '../live.js';
import { motdSpans } from '../motd.js';
import { Problem } from './common.jsx';

// The steps each action goes through, in order, as the instance service
// names them; a step this list does not know is shown as it comes.
const steps = {
  new: ['create', 'wait_running', 'deploy'],
  // With the world on, a delete saves and snapshots it first (issue 16).
  delete: ['backup', 'save', 'snapshot', 'wait_snapshot', 'delete'],
};

// allowedIn says in which states an action makes sense.
const allowedIn = {
  new: (s) => s === 'none',
  start: (s) => s === 'Stopped',
  stop: (s) => s === 'Running',
  delete: (s) => s !== 'none',
};

export function Status() {
  const { t, me, setMe } = useApp();
  const [inst, setInst] = useState(null);
  const [server, setServer] = useState(null);
  const [price, setPrice] = useState(null);
  const [error, setError] = useState(null);
  const [actionError, setActionError] = useState(null);
  const [pressed, setPressed] = useState('');

  const refresh = useCallback(async () => {
    try {
      const [i, s] = await Promise.all([get('/api/v2/instance'), get('/api/v2/server')]);
      setInst(i);
      setServer(s);
      setError(null);
    } catch (err) {
      if (err.status !== 401) setError(err);
    }
    get('/api/v2/price').then(setPrice, () => {});
    // An admin may approve this account meanwhile: the buttons follow.
    get('/api/v2/me').then((u) => setMe((old) => (old && old.approved === u.approved && old.group === u.group ? old : u)), () => {});
  }, [setMe]);
  useEffect(() => { refresh(); }, [refresh]);
  const running = inst && inst.operation && inst.operation.state === 'running';
  const mode = useLive(refresh, running || pressed !== '');

  const act = async (action) => {
    if (action === 'delete' && !confirm(t('confirmDelete'))) return;
    setPressed(action);
    setActionError(null);
    try {
      await post(`/api/v2/instance/${action}`);
    } catch (err) {
      setActionError(err);
    } finally {
      setPressed('');
      refresh();
    }
  };

  if (!inst) return <section><h1>{t('status')}</h1>{error ? <Problem error={error} onRetry={refresh} /> : <p role="status">{t('loading')}</p>}</section>;

  const state = inst.state;
  const stateText = state === 'none' ? t('stateNone') : state === 'creating' ? t('stateCreating') : state;
  const reason = (action) => {
    const server = inst.actions && inst.actions[action];
    if (server && !server.allowed) return server.reason || t('reasonAdmin');
    if (me.approved === false) return t('reasonApproval');
    if (running || pressed) return t('reasonBusy');
    if (!allowedIn[action](state)) return t('reasonState', { state: stateText });
    return '';
  };
  const op = inst.operation;

  return (
    <section aria-labelledby="status-title">
      <h1 id="status-title">{t('status')}</h1>
      <p class={`live live-${mode}`} role="status">
        {mode === 'live' ? t('live') : mode === 'reconnecting' ? t('reconnecting') : mode === 'polling' ? t('polling') : ''}
      </p>
      <Problem error={error} onRetry={refresh} />
      <div class="grid">
        <div class="card">
          <h2>{t('address')}</h2>
          <p class="address" data-testid="address">{inst.ip || server?.ip || t('noAddress')}</p>
          <h2>{t('state')}</h2>
          <p><span class={`badge state-${state}`} data-testid="state">{stateText}</span>
            {price && <span class="muted"> · {t('priceNow')} {price.hourly} {price.currency}{t('perHour')}</span>}</p>
        </div>
        <div class="card">
          <h2>{t('players')}</h2>
          {!server || !server.online ? <p class="muted">{state === 'Running' ? t('offline') : t('noPlayers')}</p> : (
            <>
              <p><strong data-testid="players-online">{server.players_online}</strong> / {server.players_max}</p>
              {server.players.length === 0 ? <p class="muted">{t('noPlayers')}</p> : (
                <ul class="players" data-testid="players">{server.players.map((p) => <li key={p.id}>{p.name}</li>)}</ul>
              )}
              <h2>{t('motd')}</h2>
              <p class="motd">{motdSpans(server.motd).map((s, i) => <span key={i} class={s.cls}>{s.text}</span>)}</p>
            </>
          )}
        </div>
      </div>
      <div class="card">
        <div class="actions" role="group" aria-label={t('action')}>
          {['new', 'start', 'stop', 'delete'].map((a) => {
            const why = reason(a);
            return (
              <div class="action" key={a}>
                <button type="button" data-action={a} disabled={why !== ''} aria-describedby={why ? `why-${a}` : undefined}
                  class={a === 'delete' ? 'danger' : ''} onClick={() => act(a)}>
                  {t(a)}
                </button>
                {why && <small id={`why-${a}`} class="why">{why}</small>}
              </div>
            );
          })}
        </div>
        <Problem error={actionError} />
        {op && <Operation op={op} />}
      </div>
    </section>
  );
}

function Operation({ op }) {
  const { t } = useApp();
  const known = steps[op.action] || [op.step];
  const list = known.includes(op.step) ? known : [...known, op.step];
  const at = list.indexOf(op.step);
  return (
    <div class="operation" aria-live="polite">
      <h2>{t('operation')}: {t(op.action)} <span class={`badge op-${op.state}`} data-testid="op-state">{t(op.state)}</span></h2>
      <ol class="steps">
        {list.map((s, i) => {
          const done = i < at || (i === at && op.state === 'succeeded');
          const current = i === at && op.state === 'running';
          const failed = i === at && op.state === 'failed';
          return (
            <li key={s} class={done ? 'done' : current ? 'current' : failed ? 'failed' : ''} aria-current={current ? 'step' : undefined}>
              {s.replace(/_/g, ' ')}
            </li>
          );
        })}
      </ol>
      {op.state === 'failed' && <p class="problem" role="alert">{op.reason || op.error}</p>}
    </div>
  );
}
