import { describe, expect, it } from 'vitest';
import { parseExposition, sampleValue } from './exposition-parser.js';
import { escapeLabelValue, formatValue, HTTP_DURATION_BUCKETS, Registry } from './metrics.js';

describe('metrics registry', () => {
  it('escapes backslash, double quote and line feed in label values', () => {
    expect(escapeLabelValue('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
  });

  it('formats special floats the way Prometheus reads them', () => {
    expect([Infinity, -Infinity, NaN, 0.1, 2, 1e-7].map(formatValue)).toEqual(['+Inf', '-Inf', 'NaN', '0.1', '2', '1e-7']);
  });

  it('renders a counter with HELP, TYPE and series sorted by label values, whatever the insertion order', () => {
    const render = (order: string[]) => {
      const registry = new Registry();
      const c = registry.counter({ name: 'http_requests_total', help: 'Requests.\nSecond line \\ here', labelNames: ['code', 'method', 'route'] });
      for (const code of order) c.inc({ code, method: 'GET', route: '/x' }, Number(code) / 100);
      return registry.expose();
    };
    const text = render(['500', '200', '404']);
    expect(text).toBe(
      [
        '# HELP http_requests_total Requests.\\nSecond line \\\\ here',
        '# TYPE http_requests_total counter',
        'http_requests_total{code="200",method="GET",route="/x"} 2',
        'http_requests_total{code="404",method="GET",route="/x"} 4.04',
        'http_requests_total{code="500",method="GET",route="/x"} 5',
        '',
      ].join('\n'),
    );
    expect(render(['404', '500', '200'])).toBe(text);
  });

  it('renders cumulative histogram buckets, +Inf, _sum and _count; a value on a bound falls in that bucket', () => {
    const registry = new Registry();
    const h = registry.histogram({ name: 'd_seconds', help: 'D.', labelNames: ['route'], buckets: [0.1, 0.5, 1] });
    for (const v of [0.05, 0.1, 0.3, 0.7, 3]) h.observe({ route: '/a' }, v);
    const parsed = parseExposition(registry.expose());
    const bucket = (le: string) => sampleValue(parsed, 'd_seconds_bucket', { route: '/a', le });
    expect([bucket('0.1'), bucket('0.5'), bucket('1'), bucket('+Inf')]).toEqual([2, 3, 4, 5]);
    expect(sampleValue(parsed, 'd_seconds_count', { route: '/a' })).toBe(5);
    expect(sampleValue(parsed, 'd_seconds_sum', { route: '/a' })).toBeCloseTo(4.15, 10);
    expect(parsed.families.get('d_seconds')?.type).toBe('histogram');
    expect(parsed.families.get('d_seconds')?.samples).toHaveLength(6);
  });

  it('round-trips awkward label values through the parser', () => {
    const registry = new Registry();
    const g = registry.gauge({ name: 'build_info', help: 'Build.', labelNames: ['version', 'commit'] });
    const version = 'v1 "quoted" \\ back\nslash, {braces}=';
    g.set({ version, commit: '' }, 1);
    const parsed = parseExposition(registry.expose());
    expect(parsed.samples).toEqual([{ name: 'build_info', labels: { version, commit: '' }, value: 1 }]);
    expect(parsed.families.get('build_info')).toMatchObject({ type: 'gauge', help: 'Build.' });
  });

  it('keeps families in registration order and initialised series at zero', () => {
    const registry = new Registry();
    registry.gauge({ name: 'b_gauge', help: 'B.' }).set({}, 3);
    registry.counter({ name: 'a_total', help: 'A.', labelNames: ['code'] }).init({ code: '500' });
    expect([...parseExposition(registry.expose()).families.keys()]).toEqual(['b_gauge', 'a_total']);
    expect(registry.expose()).toContain('a_total{code="500"} 0\n');
  });

  it('rejects wrong label sets, bad names, duplicate metrics, negative increments and unordered buckets', () => {
    const registry = new Registry();
    const c = registry.counter({ name: 'x_total', help: 'X.', labelNames: ['code'] });
    expect(() => c.inc({})).toThrow('missing code');
    expect(() => c.inc({ code: '200', route: '/' })).toThrow('unknown route');
    expect(() => c.inc({ code: '200' }, -1)).toThrow('≥ 0');
    expect(() => registry.counter({ name: 'x_total', help: 'again' })).toThrow('already registered');
    expect(() => registry.counter({ name: '1bad', help: '' })).toThrow('invalid metric name');
    expect(() => registry.counter({ name: 'ok', help: '', labelNames: ['le'] })).toThrow('invalid label name');
    expect(() => registry.histogram({ name: 'h', help: '', buckets: [1, 0.5] })).toThrow('must increase');
  });

  it('uses the platform request-duration buckets', () => {
    expect(HTTP_DURATION_BUCKETS).toEqual([0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10]);
  });
});

describe('exposition parser', () => {
  it('reports malformed lines with their line number', () => {
    expect(() => parseExposition('ok 1\nbroken{code="200" 1\n')).toThrow(/line 2/);
    expect(() => parseExposition('x notanumber')).toThrow('line 1: "notanumber" is not a number');
    expect(() => parseExposition('# TYPE x wat')).toThrow('unknown metric type');
  });

  it('reads timestamps, comments and special values', () => {
    const parsed = parseExposition('# a comment\nup{job="a"} +Inf 1700000000000\nnan NaN\n');
    expect(parsed.samples.map((s) => s.value)).toEqual([Infinity, NaN]);
  });
});
