/**
 * A tiny metrics registry rendering the Prometheus text exposition format 0.0.4.
 * Pure: no clocks, no globals; the server owns the registry and records into it.
 * Output is deterministic: families in registration order, series sorted by their label values.
 */

export const EXPOSITION_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** The request-duration buckets every CIOS service exposes (seconds); SLO thresholds must be one of them. */
export const HTTP_DURATION_BUCKETS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10];

export type Labels = Readonly<Record<string, string>>;

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Escapes a label value: backslash, double quote and line feed, as the format requires. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** HELP text escapes only backslash and line feed. */
export function escapeHelp(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

/** Go-compatible float text: `+Inf`, `-Inf`, `NaN`, otherwise the shortest round-tripping decimal. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

function renderLabels(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  return `{${pairs.map(([name, value]) => `${name}="${escapeLabelValue(value)}"`).join(',')}}`;
}

interface MetricOptions {
  readonly name: string;
  readonly help: string;
  /** Label names in the order they are rendered; every series must give each one. */
  readonly labelNames?: readonly string[];
}

abstract class Metric<S> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  protected readonly series = new Map<string, { values: string[]; state: S }>();

  constructor(options: MetricOptions) {
    if (!METRIC_NAME.test(options.name)) throw new Error(`invalid metric name "${options.name}"`);
    const labelNames = options.labelNames ?? [];
    for (const label of labelNames) {
      if (!LABEL_NAME.test(label) || label.startsWith('__') || label === 'le') {
        throw new Error(`metric ${options.name}: invalid label name "${label}"`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) throw new Error(`metric ${options.name}: duplicate label names`);
    this.name = options.name;
    this.help = options.help;
    this.labelNames = labelNames;
  }

  abstract readonly type: 'counter' | 'gauge' | 'histogram';
  protected abstract initial(): S;
  protected abstract renderSeries(pairs: ReadonlyArray<readonly [string, string]>, state: S): string[];

  protected stateFor(labels: Labels): S {
    const given = Object.keys(labels);
    const unknown = given.filter((l) => !this.labelNames.includes(l));
    const missing = this.labelNames.filter((l) => !(l in labels));
    if (unknown.length > 0 || missing.length > 0) {
      const parts = [missing.length > 0 ? `missing ${missing.join(', ')}` : '', unknown.length > 0 ? `unknown ${unknown.join(', ')}` : ''];
      throw new Error(`metric ${this.name}: labels ${parts.filter(Boolean).join('; ')}`);
    }
    const values = this.labelNames.map((l) => labels[l] as string);
    // JSON of the value list is an unambiguous key even when values contain separators.
    const key = JSON.stringify(values);
    let entry = this.series.get(key);
    if (!entry) {
      entry = { values, state: this.initial() };
      this.series.set(key, entry);
    }
    return entry.state;
  }

  /** Creates the series at its zero value, so rate() sees the first increment (a series born at 1 hides it). */
  init(labels: Labels = {}): void {
    this.stateFor(labels);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${escapeHelp(this.help)}`, `# TYPE ${this.name} ${this.type}`];
    const entries = [...this.series.values()].sort((a, b) => compareValues(a.values, b.values));
    for (const { values, state } of entries) {
      lines.push(...this.renderSeries(this.labelNames.map((n, i) => [n, values[i] as string] as const), state));
    }
    return lines.join('\n');
  }
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export class Counter extends Metric<{ value: number }> {
  readonly type = 'counter';
  protected initial() {
    return { value: 0 };
  }
  inc(labels: Labels = {}, by = 1): void {
    if (!(by >= 0) || !Number.isFinite(by)) throw new Error(`counter ${this.name}: increment must be a finite number ≥ 0, got ${by}`);
    this.stateFor(labels).value += by;
  }
  get(labels: Labels = {}): number {
    return this.stateFor(labels).value;
  }
  protected renderSeries(pairs: ReadonlyArray<readonly [string, string]>, state: { value: number }): string[] {
    return [`${this.name}${renderLabels(pairs)} ${formatValue(state.value)}`];
  }
}

export class Gauge extends Metric<{ value: number }> {
  readonly type = 'gauge';
  protected initial() {
    return { value: 0 };
  }
  set(labels: Labels, value: number): void {
    this.stateFor(labels).value = value;
  }
  inc(labels: Labels = {}, by = 1): void {
    this.stateFor(labels).value += by;
  }
  dec(labels: Labels = {}, by = 1): void {
    this.stateFor(labels).value -= by;
  }
  get(labels: Labels = {}): number {
    return this.stateFor(labels).value;
  }
  protected renderSeries(pairs: ReadonlyArray<readonly [string, string]>, state: { value: number }): string[] {
    return [`${this.name}${renderLabels(pairs)} ${formatValue(state.value)}`];
  }
}

interface HistogramState {
  /** Non-cumulative count per bucket; rendering accumulates. */
  buckets: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric<HistogramState> {
  readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(options: MetricOptions & { readonly buckets: readonly number[] }) {
    super(options);
    const b = options.buckets;
    if (b.length === 0) throw new Error(`histogram ${options.name}: needs at least one bucket`);
    for (let i = 0; i < b.length; i++) {
      const bound = b[i] as number;
      if (!Number.isFinite(bound)) throw new Error(`histogram ${options.name}: bucket bounds must be finite (+Inf is implicit)`);
      if (i > 0 && !(bound > (b[i - 1] as number))) throw new Error(`histogram ${options.name}: bucket bounds must increase`);
    }
    this.buckets = [...b];
  }

  protected initial(): HistogramState {
    return { buckets: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
  }

  observe(labels: Labels, value: number): void {
    if (Number.isNaN(value)) throw new Error(`histogram ${this.name}: cannot observe NaN`);
    const state = this.stateFor(labels);
    // A value on a bound belongs to that bucket (le = less than or equal).
    const index = this.buckets.findIndex((bound) => value <= bound);
    if (index >= 0) state.buckets[index] = (state.buckets[index] as number) + 1;
    state.sum += value;
    state.count += 1;
  }

  /** Count and sum of one series, for in-process assertions. */
  get(labels: Labels = {}): { count: number; sum: number } {
    const state = this.stateFor(labels);
    return { count: state.count, sum: state.sum };
  }

  protected renderSeries(pairs: ReadonlyArray<readonly [string, string]>, state: HistogramState): string[] {
    const lines: string[] = [];
    let cumulative = 0;
    this.buckets.forEach((bound, i) => {
      cumulative += state.buckets[i] as number;
      lines.push(`${this.name}_bucket${renderLabels([...pairs, ['le', formatValue(bound)]])} ${cumulative}`);
    });
    lines.push(`${this.name}_bucket${renderLabels([...pairs, ['le', '+Inf']])} ${state.count}`);
    lines.push(`${this.name}_sum${renderLabels(pairs)} ${formatValue(state.sum)}`);
    lines.push(`${this.name}_count${renderLabels(pairs)} ${state.count}`);
    return lines;
  }
}

export class Registry {
  private readonly metrics: { readonly name: string; render(): string }[] = [];

  private add<M extends { readonly name: string; render(): string }>(metric: M): M {
    if (this.metrics.some((m) => m.name === metric.name)) throw new Error(`metric ${metric.name} is already registered`);
    this.metrics.push(metric);
    return metric;
  }

  counter(options: MetricOptions): Counter {
    return this.add(new Counter(options));
  }

  gauge(options: MetricOptions): Gauge {
    return this.add(new Gauge(options));
  }

  histogram(options: MetricOptions & { readonly buckets: readonly number[] }): Histogram {
    return this.add(new Histogram(options));
  }

  /** The whole exposition, newline-terminated as Prometheus expects. */
  expose(): string {
    return this.metrics.map((m) => `${m.render()}\n`).join('');
  }
}
