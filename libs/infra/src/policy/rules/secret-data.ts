import { credentialShapeOf } from '@cios/platform-spec';
import { block, stringRecord, violationAt } from '../model.js';
import type { PolicyRule, RuleViolation } from '../types.js';

/**
 * Keys that take a credential inline in Alertmanager's and Prometheus's configuration (their `<secret>`
 * fields), each of which has a `_file` twin reading it from a mounted file instead. Erring on the safe side,
 * `api_url` counts everywhere, though only Slack's is a credential. Webhook `url` is not here: CIOS's
 * webhooks are in-cluster services whose URL holds nothing secret.
 */
export const INLINE_CREDENTIAL_KEYS: readonly string[] = [
  'api_key',
  'api_secret',
  'api_url',
  'auth_password',
  'auth_secret',
  'bearer_token',
  'bot_token',
  'client_secret',
  'credentials',
  'opsgenie_api_key',
  'password',
  'routing_key',
  'secret_key',
  'service_key',
  'slack_api_url',
  'smtp_auth_password',
  'smtp_auth_secret',
  'token',
  'token_id',
  'user_key',
  'victorops_api_key',
  'webhook_url',
  'wechat_api_secret',
];

const KEYED_LINE = /^\s*(?:-\s+)?([A-Za-z_][\w-]*):[ \t]*(.*?)\s*$/;
const INLINE = new Set(INLINE_CREDENTIAL_KEYS);
/** An empty value, a block that follows on the next lines, or YAML's null. */
const NO_VALUE = /^(|[|>][-+]?|~|null|''|"")$/;

/** Problems of one data entry, by line; never repeats the value, which may be the very credential. */
function problemsIn(key: string, text: string): string[] {
  const out: string[] = [];
  const whole = credentialShapeOf(text);
  if (whole) out.push(`data["${key}"] holds what looks like ${whole}`);
  text.split('\n').forEach((line, index) => {
    const match = KEYED_LINE.exec(line);
    if (!match) return;
    const [, field = '', value = ''] = match;
    const at = `data["${key}"] line ${index + 1}`;
    if (INLINE.has(field) && !NO_VALUE.test(value)) {
      out.push(`${at}: ${field} holds a credential inline; use ${field}_file, a file from a Secret mounted outside Terraform`);
      return;
    }
    const shape = whole ? undefined : credentialShapeOf(value.replace(/^(['"])(.*)\1$/, '$2'));
    if (shape) out.push(`${at}: ${field} holds what looks like ${shape}`);
  });
  return out;
}

export const secretDataRule: PolicyRule = {
  id: 'CIOS-SEC-002',
  title: 'Secrets rendered here hold configuration, with credentials by file reference only',
  severity: 'error',
  reason:
    'A Secret rendered by Terraform has its data in cdk.tf.json, the release artifact and the Terraform state, all readable by many. Only configuration a tool insists on reading from a Secret (the Alertmanager config) may be rendered, and its credentials must be paths of files from a Secret managed outside this repository.',
  fix: 'Replace the inline field with its _file twin (e.g. routing_key → routing_key_file: /etc/alertmanager/secrets/alertmanager-receivers/<key>) and put the value in that externally managed Secret.',
  check({ model }) {
    const out: RuleViolation[] = [];
    for (const secret of model.byKind('Secret')) {
      const data = stringRecord(block(secret.body)?.['data']);
      for (const key of Object.keys(data).sort()) {
        for (const problem of problemsIn(key, data[key] as string)) out.push(violationAt(secret, problem));
      }
    }
    return out;
  },
};
