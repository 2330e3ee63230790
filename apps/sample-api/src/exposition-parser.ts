/**
 * Reads the Prometheus text exposition format 0.0.4 back into samples, so tests (here, in the deployer and in
 * monitoring) can assert on /metrics without a Prometheus. Strict: a malformed line throws with its line number.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface MetricFamily {
  readonly name: string;
  help?: string;
  type?: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  readonly samples: Sample[];
}

export interface Exposition {
  /** Families in order of appearance, keyed by family name (histogram samples sit under their base name). */
  readonly families: Map<string, MetricFamily>;
  /** Every sample in order of appearance. */
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseNumber(text: string, where: string): number {
  if (text === '+Inf' || text === 'Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new Error(`${where}: "${text}" is not a number`);
  return value;
}

function unescape(text: string, allowQuote: boolean, where: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c !== '\\') {
      out += c;
      continue;
    }
    const next = text[++i];
    if (next === '\\') out += '\\';
    else if (next === 'n') out += '\n';
    else if (next === '"' && allowQuote) out += '"';
    else throw new Error(`${where}: invalid escape "\\${next ?? ''}"`);
  }
  return out;
}

function parseLabels(text: string, where: string): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let rest = text.slice(1); // after "{"
  for (;;) {
    rest = rest.trimStart();
    if (rest.startsWith('}')) return { labels, rest: rest.slice(1) };
    const name = LABEL_NAME.exec(rest)?.[0];
    if (!name) throw new Error(`${where}: expected a label name at "${rest.slice(0, 20)}"`);
    rest = rest.slice(name.length).trimStart();
    if (!rest.startsWith('="')) throw new Error(`${where}: expected ="…" after label ${name}`);
    rest = rest.slice(2);
    let end = 0;
    while (end < rest.length && rest[end] !== '"') end += rest[end] === '\\' ? 2 : 1;
    if (end >= rest.length) throw new Error(`${where}: unterminated value of label ${name}`);
    if (name in labels) throw new Error(`${where}: label ${name} given twice`);
    labels[name] = unescape(rest.slice(0, end), true, where);
    rest = rest.slice(end + 1).trimStart();
    if (rest.startsWith(',')) rest = rest.slice(1);
    else if (!rest.startsWith('}')) throw new Error(`${where}: expected "," or "}" after label ${name}`);
  }
}

function familyName(sample: string, families: Map<string, MetricFamily>): string {
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sample.endsWith(suffix)) {
      const base = sample.slice(0, -suffix.length);
      const type = families.get(base)?.type;
      if (type === 'histogram' || type === 'summary') return base;
    }
  }
  return sample;
}

export function parseExposition(text: string): Exposition {
  const families = new Map<string, MetricFamily>();
  const samples: Sample[] = [];
  const family = (name: string): MetricFamily => {
    let f = families.get(name);
    if (!f) {
      f = { name, samples: [] };
      families.set(name, f);
    }
    return f;
  };
  text.split('\n').forEach((raw, index) => {
    const where = `line ${index + 1}`;
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s*(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!m) return; // any other comment
      const [, kind, name, rest = ''] = m as unknown as [string, string, string, string | undefined];
      if (!NAME.test(name)) throw new Error(`${where}: invalid metric name "${name}"`);
      const f = family(name);
      if (kind === 'HELP') f.help = unescape(rest, false, where);
      else {
        if (!TYPES.has(rest.trim())) throw new Error(`${where}: unknown metric type "${rest}"`);
        if (f.type) throw new Error(`${where}: second TYPE line for ${name}`);
        f.type = rest.trim() as MetricFamily['type'];
      }
      return;
    }
    const name = NAME.exec(line)?.[0];
    if (!name) throw new Error(`${where}: expected a metric name`);
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest, where));
    const fields = rest.trim().split(/\s+/);
    if (fields.length < 1 || fields.length > 2 || fields[0] === '') throw new Error(`${where}: expected "value [timestamp]"`);
    const sample: Sample = { name, labels, value: parseNumber(fields[0] as string, where) };
    samples.push(sample);
    family(familyName(name, families)).samples.push(sample);
  });
  return { families, samples };
}

/**
 * The value of the one sample named `name` whose labels include `labels`; undefined when none matches.
 * Throws when several match, because a test reading "the" value of an ambiguous selector is a bug.
 */
export function sampleValue(exposition: Exposition, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const matches = exposition.samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  if (matches.length > 1) throw new Error(`${matches.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matches[0]?.value;
}

/** Sum over every sample named `name` whose labels include `labels` (0 when none). */
export function sumSamples(exposition: Exposition, name: string, labels: Readonly<Record<string, string>> = {}): number {
  return exposition.samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((total, s) => total + s.value, 0);
}
