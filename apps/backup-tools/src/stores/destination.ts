import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';

export type Destination =
  | { readonly kind: 's3'; readonly bucket: string; readonly prefix: string }
  | { readonly kind: 'file'; readonly directory: string };

/**
 * `s3://bucket/a/b/` → bucket and prefix `a/b/` (always ending in "/" unless empty, so `a/b` never matches
 * `a/bc`); `file:///x/y` → directory /x/y.
 */
export function parseDestination(url: string): Destination {
  if (url.startsWith('s3://')) {
    const rest = url.slice('s3://'.length);
    const slash = rest.indexOf('/');
    const bucket = slash === -1 ? rest : rest.slice(0, slash);
    const path = slash === -1 ? '' : rest.slice(slash + 1).replace(/^\/+/, '').replace(/\/+$/, '');
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket)) throw new CliError(`destination ${url}: "${bucket}" is not an S3 bucket name`);
    if (path.split('/').some((s) => s === '.' || s === '..')) throw new CliError(`destination ${url}: "." and ".." are not allowed in the prefix`);
    return { kind: 's3', bucket, prefix: path === '' ? '' : `${path}/` };
  }
  if (url.startsWith('file:///')) {
    const directory = fileURLToPath(url).replace(/\/+$/, '') || '/';
    return { kind: 'file', directory };
  }
  throw new CliError(`destination ${url}: must be s3://bucket/prefix/ or file:///absolute/path/`);
}

/**
 * Splits a restore point's URL (`<destination>/<stem>.<part>`) into its destination and object name, so
 * `--from` can name the manifest or any object of a backup.
 */
export function splitObjectUrl(url: string): { destination: string; name: string } {
  const trimmed = url.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  if (slash < 0 || slash === trimmed.length - 1) throw new CliError(`--from ${url}: not the URL of a backup object`);
  return { destination: `${trimmed.slice(0, slash)}/`, name: trimmed.slice(slash + 1) };
}
