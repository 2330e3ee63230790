import { SECRET_NAME_PATTERN, credentialShapeOf } from '@cios/platform-spec';

/**
 * Which ENV/ARG literals in a Dockerfile are secrets (CIOS-DF-008). It starts from the platform's shared
 * recognisers (@cios/platform-spec, also used for service env and ConfigMaps) and adds what Dockerfiles need on top:
 * key names the shared pattern misses (STRIPE_KEY, SMTP_PASS), vendor key shapes common in build files (Stripe,
 * Google, npm, GitLab), and the two cases where a secret-sounding name holds no secret (a path to a secret file, a
 * value published to browsers), so that the recommended `ENV PASSWORD_FILE=/run/secrets/db-password` is not an error.
 */

/**
 * Names the shared pattern misses: any `*_KEY` (STRIPE_KEY, SIGNING_KEY, MASTER_KEY, a bare KEY), `*_PASS`,
 * `*_PWD`, passphrases. A segment match, not a substring, so KEYBOARD_LAYOUT or BYPASS_CACHE stay unflagged.
 */
const EXTRA_SECRET_NAME = /(?:^|_)KEY$|_(?:PASS|PWD)$|PASSPHRASE/;

/**
 * `*_KEY` names that are identifiers rather than credentials (a cache or partition key names a bucket, not a lock).
 * Only these qualifiers: an unknown `*_KEY` is treated as secret, since a miss leaks and a false alarm costs a rename.
 */
const NON_SECRET_KEY_NAME = /(?:^|_)(?:CACHE|SORT|PARTITION|PRIMARY|FOREIGN|ROUTING|IDEMPOTENCY)_KEY$/;

/** A PUBLIC/PUB segment: public keys and NEXT_PUBLIC_* style values are published on purpose. */
const PUBLIC_NAME = /(?:^|_)(?:PUBLIC|PUB)(?:_|$)/;

/** `*_FILE`, `*_PATH`, `*_DIR`: the variable names where a secret is, which is not itself secret. */
const POINTER_NAME = /_(?:FILE|PATH|DIR)$/;

/**
 * An absolute path and nothing else. Only an absolute path counts, so `DB_PASSWORD_FILE=hunter2` (the password
 * itself put in the wrong variable) is still flagged.
 */
const ABSOLUTE_PATH = /^\/[\w.\-/@+]*$/;

/** Key shapes the shared table does not know, each specific enough to flag whatever the variable is called. */
const EXTRA_CREDENTIAL_SHAPES: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: 'a Stripe secret key', pattern: /\b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{10,}/ },
  { what: 'a Stripe webhook secret', pattern: /\bwhsec_[A-Za-z0-9]{20,}/ },
  { what: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/ },
  { what: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { what: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
];

/** True when `key=value` points at where a secret is kept (`PASSWORD_FILE=/run/secrets/db`) instead of holding it. */
export function isSecretPointer(key: string, value: string): boolean {
  return POINTER_NAME.test(key.toUpperCase()) && ABSOLUTE_PATH.test(value);
}

/** True when the variable's name says it holds a credential; `value` decides only for pointers to secret files. */
export function hasSecretName(key: string, value: string): boolean {
  const name = key.toUpperCase();
  if (PUBLIC_NAME.test(name) || isSecretPointer(name, value)) return false;
  if (SECRET_NAME_PATTERN.test(name)) return true;
  return EXTRA_SECRET_NAME.test(name) && !NON_SECRET_KEY_NAME.test(name);
}

/** What kind of credential the value itself looks like (never the value, so messages cannot leak it). */
export function secretValueShape(value: string): string | undefined {
  return credentialShapeOf(value) ?? EXTRA_CREDENTIAL_SHAPES.find(({ pattern }) => pattern.test(value))?.what;
}

/** Why `key=value` is a secret baked into the image, or undefined. */
export function secretKind(key: string, value: string): string | undefined {
  return hasSecretName(key, value) ? 'a secret by its name' : secretValueShape(value);
}
