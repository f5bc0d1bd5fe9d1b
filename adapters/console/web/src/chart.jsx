import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

// SpendChart draws spend per day as bars with uPlot (small, canvas, no
// dependencies). The same numbers are in a table beside it for screen
// readers and for people who prefer numbers.
export function SpendChart({ days, label }) {
  const el = useRef(null);
  useEffect(() => {
    if (!el.current || days.length === 0) return undefined;
    const xs = days.map((d) => Date.parse(`${d.date}T00:00:00Z`) / 1000);
    const ys = days.map((d) => Number(d.amount));
    const width = Math.max(280, Math.min(el.current.clientWidth || 600, 900));
    const plot = new uPlot({
      width,
      height: 220,
      legend: { show: false },
      scales: { x: { time: true } },
      axes: [{}, { size: 60 }],
      series: [{}, { label, fill: 'rgba(37, 99, 235, 0.55)', stroke: '#1d4ed8', paths: uPlot.paths.bars({ size: [0.7, 40] }), points: { show: false } }],
    }, [xs, ys], el.current);
    return () => plot.destroy();
  }, [days, label]);
  return <div ref={el} class="chart" role="img" aria-label={label} data-testid="spend-chart" />;
}
