import { createWriteStream, openAsBlob } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { CliError } from '../errors.js';
import { safePart } from '../naming.js';
import { redact } from '../redact.js';
import type { EngineContext, EngineDump, Source } from './engine.js';

/**
 * Qdrant's HTTP snapshot API (https://qdrant.tech/documentation/concepts/snapshots/): per collection, create a
 * snapshot on the peer, download it, delete it there (snapshots fill the peer's /qdrant/snapshots otherwise).
 * The key travels in the `api-key` header, never in a URL.
 */
function baseUrl(source: Source): string {
  return `http://${source.host.includes(':') ? `[${source.host}]` : source.host}:${source.port}`;
}

function headers(context: EngineContext): Record<string, string> {
  return context.config.QDRANT_API_KEY ? { 'api-key': context.config.QDRANT_API_KEY } : {};
}

async function call(context: EngineContext, method: string, url: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(url, { ...init, method, headers: { ...headers(context), ...(init.headers as Record<string, string> | undefined) } });
  if (!response.ok) {
    const body = redact((await response.text()).slice(0, 500), context.secrets);
    throw new CliError(`qdrant ${method} ${new URL(url).pathname} answered ${response.status}: ${body}`);
  }
  return response;
}

async function json<T>(context: EngineContext, method: string, url: string): Promise<T> {
  const body = (await (await call(context, method, url)).json()) as { result?: T };
  if (body.result === undefined) throw new CliError(`qdrant ${method} ${new URL(url).pathname}: no "result" in the answer`);
  return body.result;
}

export async function listCollections(context: EngineContext, source: Source): Promise<string[]> {
  const result = await json<{ collections: { name: string }[] }>(context, 'GET', `${baseUrl(source)}/collections`);
  return result.collections.map((c) => c.name).sort();
}

export async function dumpQdrant(context: EngineContext, source: Source): Promise<EngineDump> {
  const base = baseUrl(source);
  const info = (await (await call(context, 'GET', `${base}/`)).json()) as { version?: string };
  const files = [];
  for (const collection of await listCollections(context, source)) {
    const c = encodeURIComponent(collection);
    context.log.info(`qdrant snapshot of ${collection} on ${source.host}:${source.port}`);
    const snapshot = await json<{ name: string }>(context, 'POST', `${base}/collections/${c}/snapshots?wait=true`);
    const s = encodeURIComponent(snapshot.name);
    const part = `${safePart(collection)}.snapshot`;
    const path = join(context.workdir, part);
    try {
      const response = await call(context, 'GET', `${base}/collections/${c}/snapshots/${s}`);
      if (!response.body) throw new CliError(`qdrant snapshot ${snapshot.name} of ${collection}: empty download`);
      await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(path, { mode: 0o600 }));
    } finally {
      // Removed even when the download failed: a failed run must not leave snapshots filling the peer's disk.
      await call(context, 'DELETE', `${base}/collections/${c}/snapshots/${s}?wait=true`);
    }
    files.push({ kind: 'collection' as const, name: collection, part, path });
  }
  return { tools: { qdrant: info.version ?? 'unknown' }, files };
}

/** Uploads a snapshot as the collection's new content (the snapshot wins over the peer's current data). */
export async function restoreQdrantCollection(context: EngineContext, target: Source, collection: string, path: string): Promise<void> {
  const form = new FormData();
  form.append('snapshot', await openAsBlob(path), `${safePart(collection)}.snapshot`);
  context.log.info(`qdrant upload of ${collection} to ${target.host}:${target.port}`);
  await call(context, 'POST', `${baseUrl(target)}/collections/${encodeURIComponent(collection)}/snapshots/upload?priority=snapshot&wait=true`, {
    body: form,
  });
}
