/**
 * The part of the OCI distribution API the release needs: the digest a registry holds for repository:tag,
 * read with `HEAD /v2/<name>/manifests/<tag>` and its `Docker-Content-Digest` header, with the bearer-token
 * handshake public registries (GHCR, Docker Hub) require.
 */

export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

export interface RegistryAccess {
  /** host[:port] */
  readonly registry: string;
  /** Plain HTTP instead of HTTPS (a loopback test registry). */
  readonly insecure?: boolean;
  /** Basic credentials for the token endpoint or the registry itself. */
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Injected for tests; the global fetch otherwise. */
  readonly fetch?: typeof fetch;
  /** Per-request timeout. @default 10 000 ms */
  readonly timeoutMs?: number;
}

export class RegistryError extends Error {
  constructor(
    message: string,
    /** "unreachable" (no answer), "missing" (404), "denied" (401/403) or "protocol" (anything else). */
    readonly kind: 'unreachable' | 'missing' | 'denied' | 'protocol',
  ) {
    super(message);
    this.name = 'RegistryError';
  }
}

/** The manifest digest the registry holds for repository:reference, or a RegistryError saying why not. */
export async function manifestDigest(access: RegistryAccess, repository: string, reference: string): Promise<string> {
  const url = `${access.insecure ? 'http' : 'https'}://${access.registry}/v2/${repository}/manifests/${reference}`;
  const what = `${access.registry}/${repository}:${reference}`;
  let response = await request(access, url, undefined, what);
  if (response.status === 401) {
    const token = await bearerToken(access, response.headers.get('www-authenticate'), what);
    if (token) response = await request(access, url, `Bearer ${token}`, what);
  }
  if (response.status === 404) throw new RegistryError(`${what} is not in the registry (HTTP 404)`, 'missing');
  if (response.status === 401 || response.status === 403) {
    throw new RegistryError(`the registry refused to show ${what} (HTTP ${response.status}); check the credentials`, 'denied');
  }
  if (!response.ok) throw new RegistryError(`the registry answered HTTP ${response.status} for ${what}`, 'protocol');
  const digest = response.headers.get('docker-content-digest');
  if (!digest || !/^sha256:[a-f0-9]{64}$/.test(digest)) {
    throw new RegistryError(`the registry gave no Docker-Content-Digest header for ${what}`, 'protocol');
  }
  return digest;
}

async function request(access: RegistryAccess, url: string, authorization: string | undefined, what: string): Promise<Response> {
  const doFetch = access.fetch ?? fetch;
  const headers: Record<string, string> = { accept: MANIFEST_MEDIA_TYPES };
  if (authorization) headers['authorization'] = authorization;
  else if (access.credentials && access.insecure) headers['authorization'] = basic(access.credentials);
  try {
    return await doFetch(url, { method: 'HEAD', headers, signal: AbortSignal.timeout(access.timeoutMs ?? 10_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const detail = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new RegistryError(`the registry ${access.registry} is unreachable while reading ${what} (${detail})`, 'unreachable');
  }
}

async function bearerToken(access: RegistryAccess, challenge: string | null, what: string): Promise<string | undefined> {
  if (!challenge || !/^Bearer\s/i.test(challenge)) return undefined;
  const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] as string, m[2] as string]));
  const realm = params['realm'];
  if (!realm) return undefined;
  const url = new URL(realm);
  if (params['service']) url.searchParams.set('service', params['service']);
  if (params['scope']) url.searchParams.set('scope', params['scope']);
  const doFetch = access.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      headers: access.credentials ? { authorization: basic(access.credentials) } : {},
      signal: AbortSignal.timeout(access.timeoutMs ?? 10_000),
    });
  } catch (error) {
    throw new RegistryError(`the token service ${url.host} is unreachable while reading ${what} (${(error as Error).message})`, 'unreachable');
  }
  if (!response.ok) return undefined;
  const body = (await response.json()) as { token?: string; access_token?: string };
  return body.token ?? body.access_token;
}

function basic(credentials: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}
