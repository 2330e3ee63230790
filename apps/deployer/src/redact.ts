/**
 * Secrets must never reach the KB, logs or artifacts. The deployer itself only ever
 * handles references, but URLs given on the command line may carry credentials
 * (http://user:token@host) and child tools may print values: both pass through here.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^/\s:@]+):([^/\s@]+)@/gi;

export function redactUrl(url: string): string {
  return url.replace(URL_CREDENTIALS, '$1$2:***@');
}

export class Redactor {
  private readonly values = new Set<string>();

  /** Values (tokens, passwords) that must be masked wherever they show up. */
  add(...secrets: readonly (string | undefined)[]): this {
    for (const s of secrets) if (s !== undefined && s.length >= 4) this.values.add(s);
    return this;
  }

  /** Every credential in a URL becomes a value to mask. */
  addFromUrl(url: string | undefined): this {
    if (url === undefined) return this;
    try {
      const parsed = new URL(url);
      if (parsed.password) this.add(decodeURIComponent(parsed.password), parsed.password);
    } catch {
      // not a URL: nothing to learn from it
    }
    return this;
  }

  redact(text: string): string {
    let out = redactUrl(text);
    for (const value of this.values) out = out.split(value).join('***');
    return out;
  }
}
