/** A Prometheus recording rule, in the key order Prometheus documents. */
export interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels?: Readonly<Record<string, string>>;
}

export interface AlertingRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
}

export type Rule = RecordingRule | AlertingRule;

export interface RuleGroup {
  readonly name: string;
  readonly interval?: string;
  readonly rules: readonly Rule[];
}

/** One rule file: `prometheus/rules/<name>.rules.yml`. */
export interface RuleFile {
  readonly name: string;
  readonly groups: readonly RuleGroup[];
}

export function isAlert(rule: Rule): rule is AlertingRule {
  return 'alert' in rule;
}
