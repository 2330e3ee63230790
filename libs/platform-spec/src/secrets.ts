/**
 * How credentials are recognised wherever a literal value could leak one (service env, Dockerfile
 * ENV/ARG, rendered ConfigMaps): by the variable's name, and by the value's own shape whatever the
 * variable is called (`DATABASE_URL=postgres://app:pw@db` is as secret as `DB_PASSWORD=pw`).
 */

/**
 * Names that hold credentials: their values may only come from a Secret reference. Words that also occur
 * in harmless names count only where they cannot be part of one: PASS and PWD as the last segment (DB_PASS,
 * SMTP_PWD; not BYPASS_CACHE, nor PWD, the shell's working directory), AUTH only as the whole name (not
 * AUTH_URL or DISABLE_AUTH, which are settings about authentication).
 */
export const SECRET_NAME_PATTERN = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?|DSN)|(?:^|_)PASS$|_PWD$|^AUTH$/;

interface CredentialShape {
  readonly what: string;
  /** Its first capture group, when it has one, is the secret part: a variable reference there is no literal. */
  readonly pattern: RegExp;
  /** A second look at the match, for shapes prose can also take ("Basic authentication"). */
  readonly confirm?: (match: RegExpExecArray) => boolean;
}

/** `user:password` once decoded: what an HTTP Basic header carries, and what base64-looking prose does not. */
function isBasicCredential(match: RegExpExecArray): boolean {
  try {
    return /^[\x20-\x7e]*:[\x20-\x7e]*$/.test(atob(match[1] as string));
  } catch {
    return false;
  }
}

const CREDENTIAL_SHAPES: readonly CredentialShape[] = [
  { what: 'a URL with a password in it', pattern: /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:([^@\s]+)@/i },
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  { what: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { what: 'a GitHub token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36}|github_pat_[A-Za-z0-9_]{22,})\b/ },
  { what: 'a Stripe secret key', pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/ },
  // OpenAI and alike: "sk-…" and project/service keys "sk-proj-…"; a digit is required so that
  // hyphenated words ("sk-learn-compatible-…") are not taken for a key.
  { what: 'an API secret key', pattern: /\bsk-(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}/ },
  { what: 'HTTP Basic credentials', pattern: /\bBasic\s+((?:[A-Za-z0-9+/]{4})+(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?)(?![A-Za-z0-9+/=])/, confirm: isBasicCredential },
  // A token has digits; "Bearer authentication" or "a Bearer token" in a help text has none.
  { what: 'a bearer token', pattern: /\bBearer\s+((?=[A-Za-z0-9._~+/-]*\d)[A-Za-z0-9._~+/-]{16,}=*)/ },
  { what: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { what: 'a JSON Web Token', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { what: 'a password in a connection string', pattern: /(?:^|[;?&\s])(?:password|pwd)=([^;&\s]+)/i },
];

/** `$(VAR)`, `${VAR}` or `$VAR`: filled in at run time from somewhere else, so not a literal. */
const VARIABLE_REFERENCE = /^\$(?:\(\w+\)|\{\w+\}|\w+)$/;

/** What kind of credential `value` looks like (for a message that never repeats the value), or undefined. */
export function credentialShapeOf(value: string): string | undefined {
  for (const { what, pattern, confirm } of CREDENTIAL_SHAPES) {
    const match = pattern.exec(value);
    if (!match || (confirm && !confirm(match))) continue;
    const secretPart = match[1];
    if (secretPart !== undefined && VARIABLE_REFERENCE.test(secretPart)) continue;
    return what;
  }
  return undefined;
}
