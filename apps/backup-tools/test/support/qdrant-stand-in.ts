import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';

/**
 * A stand-in for Qdrant's snapshot endpoints as its documentation describes them (no Qdrant binary here):
 * GET /, GET /collections, POST/GET/DELETE /collections/<c>/snapshots[/<s>], POST …/snapshots/upload.
 * It checks the api-key header and records every request, so tests see what cios-backup asked for.
 */
export interface QdrantStandIn {
  readonly port: number;
  readonly requests: { method: string; url: string }[];
  /** Snapshots still stored on the "peer". */
  readonly snapshots: Map<string, Buffer>;
  readonly uploads: Map<string, Buffer>;
  stop(): Promise<void>;
}

export async function startQdrantStandIn(apiKey: string, collections: Record<string, Buffer>): Promise<QdrantStandIn> {
  const requests: { method: string; url: string }[] = [];
  const snapshots = new Map<string, Buffer>();
  const uploads = new Map<string, Buffer>();
  let counter = 0;
  const send = (res: import('node:http').ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req: IncomingMessage, res) => {
    void (async () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '' });
      if (req.headers['api-key'] !== apiKey) return send(res, 401, { status: { error: 'Must provide an API key or an Authorization bearer token' } });
      const url = new URL(req.url ?? '/', 'http://stand-in');
      const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
      if (req.method === 'GET' && parts.length === 0) return send(res, 200, { title: 'qdrant - vector search engine', version: '1.12.4' });
      if (req.method === 'GET' && parts.length === 1 && parts[0] === 'collections') {
        return send(res, 200, { result: { collections: Object.keys(collections).map((name) => ({ name })) }, status: 'ok' });
      }
      const [root, collection, snap, name] = parts;
      if (root !== 'collections' || !collection || snap !== 'snapshots') return send(res, 404, { status: { error: 'not found' } });
      if (req.method === 'POST' && name === undefined) {
        const data = collections[collection];
        if (!data) return send(res, 404, { status: { error: `Collection ${collection} not found` } });
        const snapshot = `${collection}-${++counter}.snapshot`;
        snapshots.set(`${collection}/${snapshot}`, data);
        return send(res, 200, { result: { name: snapshot, size: data.length }, status: 'ok' });
      }
      if (req.method === 'POST' && name === 'upload') {
        const form = await new Request('http://stand-in', {
          method: 'POST',
          headers: req.headers as Record<string, string>,
          body: Readable.toWeb(req) as ReadableStream,
          duplex: 'half',
        } as RequestInit).formData();
        const file = form.get('snapshot');
        if (!(file instanceof Blob) || url.searchParams.get('priority') !== 'snapshot') return send(res, 400, { status: { error: 'bad upload' } });
        uploads.set(collection, Buffer.from(await file.arrayBuffer()));
        return send(res, 200, { result: true, status: 'ok' });
      }
      const stored = name ? snapshots.get(`${collection}/${name}`) : undefined;
      if (!stored) return send(res, 404, { status: { error: 'snapshot not found' } });
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        return res.end(stored);
      }
      if (req.method === 'DELETE') {
        snapshots.delete(`${collection}/${name}`);
        return send(res, 200, { result: true, status: 'ok' });
      }
      return send(res, 405, { status: { error: 'method not allowed' } });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    snapshots,
    uploads,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
