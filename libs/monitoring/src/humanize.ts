/**
 * Go's `fmt.Sprintf("%.4g", v)`: four significant digits, trailing zeros dropped, exponent form when the
 * exponent is below −4 or at least 4. Prometheus' `humanizePercentage` is exactly that of v × 100 plus "%".
 */
export function goFormat4g(value: number): string {
  if (value === 0) return '0';
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  const [mantissa, exponentText] = value.toExponential(3).split('e') as [string, string];
  const exponent = Number(exponentText);
  const strip = (s: string): string => (s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s);
  if (exponent < -4 || exponent >= 4) {
    const sign = exponent < 0 ? '-' : '+';
    return `${strip(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return strip(value.toFixed(Math.max(0, 3 - exponent)));
}

/** What `{{ $value | humanizePercentage }}` renders for a ratio. */
export function humanizePercentage(ratio: number): string {
  return `${goFormat4g(ratio * 100)}%`;
}

/**
 * What `{{ $value | humanizeDuration }}` renders for a number of seconds of at least 1 (Prometheus 2.42's
 * template function: whole days, hours, minutes and seconds, leading zero units left out).
 */
export function humanizeDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || Math.abs(seconds) < 1) {
    throw new Error(`humanizeDuration is only rendered here for whole durations of 1 s or more, not ${seconds}`);
  }
  const sign = seconds < 0 ? '-' : '';
  const whole = Math.trunc(Math.abs(seconds));
  const s = whole % 60;
  const m = Math.trunc(whole / 60) % 60;
  const h = Math.trunc(whole / 3600) % 24;
  const d = Math.trunc(whole / 86_400);
  if (d !== 0) return `${sign}${d}d ${h}h ${m}m ${s}s`;
  if (h !== 0) return `${sign}${h}h ${m}m ${s}s`;
  if (m !== 0) return `${sign}${m}m ${s}s`;
  return `${sign}${goFormat4g(Math.abs(seconds))}s`;
}
