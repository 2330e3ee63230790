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
