// Axis ticks for the charts: whole decades on log axes, and labels that stay readable there
// (1e-5, never "0"). Pure functions, tested without a browser.

/**
 * Log axes get whole decades as their range and ticks: uPlot's own log tick generator was seen to
 * loop forever on some ranges (a diverging run's gradient norms), freezing the page.
 */
export function decadeRange(min: number | null, max: number | null): [number, number] {
  const lo = min !== null && min > 0 && Number.isFinite(min) ? Math.floor(Math.log10(min)) : -3;
  const hi = max !== null && max > 0 && Number.isFinite(max) ? Math.ceil(Math.log10(max)) : lo + 1;
  return [Number(`1e${Math.max(-30, lo)}`), Number(`1e${Math.min(30, Math.max(hi, lo + 1))}`)];
}

export function decades(min: number | undefined, max: number | undefined): number[] {
  const [lo, hi] = decadeRange(min ?? null, max ?? null).map((v) => Math.round(Math.log10(v)));
  const every = Math.max(1, Math.ceil((hi - lo) / 8));
  const out: number[] = [];
  // Exact powers of ten (10 ** -3 is 0.0010000000000000002).
  for (let e = lo; e <= hi; e += every) out.push(Number(`1e${e}`));
  return out;
}

/** Tick labels that stay readable on a log axis (1e-5, not "0"). */
export function tick(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-2) {
    const [m, e] = v.toExponential(0).split('e');
    return `${m}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(2)));
}
