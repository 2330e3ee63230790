import { describe, expect, it } from 'vitest';
import { POLICY_RULES, checkPolicy, renderStacks, synthMonitoringConfig, type PolicyFinding, type RenderedStack } from '../../src/index.js';
import { secretDataRule } from '../../src/policy/rules/secret-data.js';
import { digestRelease, envOf, must, smallPlatform } from '../fixtures.js';
import { ALERTMANAGER_YML, monitoringInput } from '../monitoring-fixtures.js';
import { resourcesOf } from '../terraform-json.js';

const platform = smallPlatform();
const prod = envOf(platform, 'prod');
const SECRET = 'Secret/prod-monitoring/alertmanager-kube-prometheus-stack-alertmanager';
/** 1-based line of the fixture's Alertmanager config holding `text`; appended lines come after `LINES`. */
const lineOf = (text: string) => ALERTMANAGER_YML.split('\n').findIndex((l) => l.includes(text)) + 1;
const LINES = ALERTMANAGER_YML.split('\n').length - 1;

/** Every prod stack, monitoring-config included: this rule's findings after `edit` rewrites the Alertmanager config. */
function findings(edit: (yml: string) => string = (yml) => yml): PolicyFinding[] {
  const monitoring = structuredClone(synthMonitoringConfig({ platform, environment: 'prod', ...monitoringInput('prod') }).stack);
  const data = must(resourcesOf(monitoring.config, 'kubernetes_secret_v1')['alertmanager_config'], 'kubernetes_secret_v1.alertmanager_config')['data'];
  data['alertmanager.yaml'] = edit(must(data['alertmanager.yaml'], 'alertmanager.yaml'));
  const stacks: RenderedStack[] = [...renderStacks({ platform, environment: prod, release: digestRelease(platform) }), monitoring];
  return checkPolicy({ environment: prod, stacks }).findings.filter((f) => f.ruleId === secretDataRule.id);
}

describe(`${secretDataRule.id}: ${secretDataRule.title}`, () => {
  it('is registered, so every synth runs it', () => {
    expect(POLICY_RULES).toContain(secretDataRule);
  });

  it('passes every prod stack of the test platform with the Alertmanager config as @cios/monitoring writes it', () => {
    expect(findings()).toEqual([]);
  });

  it('fails a credential written inline, by line and field, never repeating the value', () => {
    const found = findings((yml) =>
      yml.replace('api_url_file: /etc/alertmanager/secrets/alertmanager-receivers/slack-webhook-url', "api_url: 'https://hooks.slack.com/services/T000/B000/XXXXSECRET'"),
    );
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      severity: 'error',
      resource: SECRET,
      address: 'monitoring-config:kubernetes_secret_v1.alertmanager_config',
      message: `data["alertmanager.yaml"] line ${lineOf('api_url_file')}: api_url holds a credential inline; use api_url_file, a file from a Secret mounted outside Terraform`,
    });
    expect(JSON.stringify(found)).not.toContain('XXXXSECRET');
  });

  it('fails a value shaped like a credential under any key, and accepts empty inline fields', () => {
    const token = `xoxb-${'1'.repeat(12)}-abcdefabcdef`;
    const found = findings((yml) => `${yml}        title: ${token}\n        password: ""\n        token:\n`);
    expect(found.map((f) => f.message)).toEqual(['data["alertmanager.yaml"] holds what looks like a Slack token']);
    expect(JSON.stringify(found)).not.toContain(token);
    const url = findings((yml) => `${yml}        text: "postgres://app:hunter2@db:5432/app"\n`);
    expect(url.map((f) => f.message)).toEqual([`data["alertmanager.yaml"] line ${LINES + 1}: text holds what looks like a URL with a password in it`]);
  });
});
