import { useEffect, useState } from 'preact/hooks';
import { get } from '../api.js';
import { useApp } from '../app.js';
import { SpendChart } from '../chart.jsx';
import { Problem } from './common.jsx';

// cents shows an exact amount (up to six decimals) rounded to cents for
// reading; the per-day table keeps the exact figures.
const cents = (s) => Number(s).toFixed(2);

export function Money() {
  const { t } = useApp();
  const [cost, setCost] = useState(null);
  const [account, setAccount] = useState(null);
  const [price, setPrice] = useState(null);
  const [error, setError] = useState(null);

  const load = () => {
    get('/api/v2/cost').then((c) => { setCost(c); setError(null); }, setError);
    get('/api/v2/account').then(setAccount, () => setAccount(null));
    get('/api/v2/price').then(setPrice, () => setPrice(null));
  };
  useEffect(load, []);

  const budget = cost && cost.budget;
  const pct = budget && Number(budget.monthly) > 0 ? Math.min(100, (Number(cost.total) / Number(budget.monthly)) * 100) : null;
  return (
    <section aria-labelledby="money-title">
      <h1 id="money-title">{t('money')}</h1>
      <Problem error={error} onRetry={load} />
      <div class="grid">
        <div class="card"><h2>{t('balance')}</h2><p class="big" data-testid="balance">{account ? `${account.balance} ${account.currency}` : '—'}</p></div>
        <div class="card"><h2>{t('total')}</h2><p class="big" data-testid="total">{cost ? `${cents(cost.total)} ${cost.currency}` : '—'}</p>
          {pct !== null && (
            <>
              <label for="budget-gauge">{t('budget')}: {budget.monthly} {cost.currency}</label>
              <meter id="budget-gauge" min={0} max={100} low={50} high={80} optimum={0} value={pct}>{pct.toFixed(0)}%</meter>
            </>
          )}
        </div>
        <div class="card"><h2>{t('priceNow')}</h2><p class="big">{price ? `${price.hourly} ${price.currency}${t('perHour')}` : '—'}</p></div>
      </div>
      {cost && (
        <div class="card">
          <h2>{t('spendPerDay')}</h2>
          <SpendChart days={cost.days} label={t('spendPerDay')} />
          {cost.products && (
            <>
              <h2>{t('split')}</h2>
              <ul>{Object.entries(cost.products).map(([k, v]) => <li key={k}>{k}: {v} {cost.currency}</li>)}</ul>
            </>
          )}
          <details>
            <summary>{t('spendPerDay')} ({cost.from} – {cost.to})</summary>
            <table><tbody>{cost.days.map((d) => <tr key={d.date}><th scope="row">{d.date}</th><td>{d.amount}</td></tr>)}</tbody></table>
          </details>
        </div>
      )}
    </section>
  );
}
