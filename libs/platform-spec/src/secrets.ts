/**
 * How credentials are recognised wherever a literal value could leak one (service env, Dockerfile
 * ENV/ARG, rendered ConfigMaps): by the variable's name, and by the value's own shape whatever the
 * variable is called (`DATABASE_URL=postgres://app:pw@db` is as secret as `DB_PASSWORD=pw`).
 */

/** Names that hold credentials: their values may only come from a Secret reference. */
export const SECRET_NAME_PATTERN = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|DSN)/;

const CREDENTIAL_SHAPES: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: 'a URL with a password in it', pattern: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:([^@\s]+)@/i },
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { what: 'an API secret key', pattern: /\bsk-[A-Za-z0-9]{20,}\b/ },
  { what: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { what: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { what: 'a password in a connection string', pattern: /(?:^|[;?&\s])(?:password|pwd)=([^;&\s]+)/i },
];

/** `$(VAR)`, `${VAR}` or `$VAR`: filled in at run time from somewhere else, so not a literal. */
const VARIABLE_REFERENCE = /^\$(?:\(\w+\)|\{\w+\}|\w+)$/;

/** What kind of credential `value` looks like (for a message that never repeats the value), or undefined. */
export function credentialShapeOf(value: string): string | undefined {
  for (const { what, pattern } of CREDENTIAL_SHAPES) {
    const match = pattern.exec(value);
    if (!match) continue;
    const secretPart = match[1];
    if (secretPart !== undefined && VARIABLE_REFERENCE.test(secretPart)) continue;
    return what;
  }
  return undefined;
}
