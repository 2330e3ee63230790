import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assertBehaviour, DEFAULT_BEHAVIOUR, ErrorSpread, validateBehaviourUpdate, type Behaviour } from './behaviour.js';
import { CASES, findCase } from './cases.js';
import { EXPOSITION_CONTENT_TYPE } from './metrics.js';
import { createServiceMetrics, KNOWN_METHODS, type ServiceMetrics } from './service-metrics.js';
import { SelfTraffic } from './self-traffic.js';

export type LogLevel = 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => void;

export interface SampleApiOptions {
  /** TCP port; 0 picks a free one (read it from `port` or `url`). @default 8080, the port the platform probes. */
  readonly port?: number;
  /** Interface to bind. @default '0.0.0.0', so the pod IP answers; tests pass '127.0.0.1'. */
  readonly host?: string;
  /** Injected misbehaviour at start. @default no errors, no added latency. */
  readonly behaviour?: Partial<Behaviour>;
  /** Enables /admin/* (behaviour changes at runtime). @default false, so a deployed pod cannot be made to fail. */
  readonly admin?: boolean;
  /** `version` label of sample_api_build_info. @default 'unknown' */
  readonly version?: string;
  /** `commit` label of sample_api_build_info. @default 'unknown' */
  readonly commit?: string;
  /** Requests per second the process sends to its own /api/cases over loopback. @default 0 (none). */
  readonly selfTrafficRps?: number;
  /**
   * Time between readiness turning 503 and the listener closing, so the load balancer stops routing first.
   * @default 0, because tests want a fast stop; deployments set it to a few seconds.
   */
  readonly shutdownDelayMs?: number;
  /** Longest wait for in-flight requests after the listener closes; then connections are cut. @default 10000 */
  readonly shutdownTimeoutMs?: number;
  /** Logs one line per traffic request. @default false: self traffic would flood the log. */
  readonly accessLog?: boolean;
  /** Receives structured log entries. @default none: in-process use stays quiet; the bin writes JSON lines. */
  readonly log?: Logger;
  /** process_start_time_seconds. @default when this process started (Unix seconds). */
  readonly startTimeSeconds?: number;
}

export interface SampleApi {
  /** Base URL for clients, e.g. http://127.0.0.1:40123 (a wildcard host is reached over loopback). */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  /** True from the start of close() (or SIGTERM in the bin): /readyz answers 503. */
  readonly draining: boolean;
  behaviour(): Behaviour;
  /** Same as PUT /admin/behaviour, for in-process tests; restarts the error spread. */
  setBehaviour(update: Partial<Behaviour>): Behaviour;
  /** The current exposition, as GET /metrics serves it. */
  metrics(): string;
  /** Graceful stop: readiness 503, wait shutdownDelayMs, stop accepting, finish in-flight (up to shutdownTimeoutMs). */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function checkNonNegative(value: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isFinite(value) || value < 0 || value > max) throw new Error(`${name} must be a number between 0 and ${max}, got ${value}`);
  return value;
}

function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface Route {
  readonly route: string;
  readonly id?: string;
}

function matchTraffic(path: string): Route | undefined {
  if (path === '/api/cases') return { route: '/api/cases' };
  const m = /^\/api\/cases\/([^/]+)$/.exec(path);
  if (!m) return undefined;
  const raw = m[1] as string;
  try {
    return { route: '/api/cases/:id', id: decodeURIComponent(raw) };
  } catch {
    // Malformed percent-encoding names no case: a 404 on the route, not a server error.
    return { route: '/api/cases/:id', id: raw };
  }
}

/** Starts the service and resolves once it listens. */
export async function createServer(options: SampleApiOptions = {}): Promise<SampleApi> {
  const log: Logger = options.log ?? (() => undefined);
  const port = options.port ?? 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`port must be an integer between 0 and 65535, got ${port}`);
  const host = options.host ?? '0.0.0.0';
  let behaviour = assertBehaviour({ ...DEFAULT_BEHAVIOUR, ...options.behaviour });
  const admin = options.admin ?? false;
  const selfTrafficRps = checkNonNegative(options.selfTrafficRps ?? 0, 'selfTrafficRps', SelfTraffic.MAX_RPS);
  const shutdownDelayMs = checkNonNegative(options.shutdownDelayMs ?? 0, 'shutdownDelayMs');
  const shutdownTimeoutMs = checkNonNegative(options.shutdownTimeoutMs ?? 10_000, 'shutdownTimeoutMs');
  const accessLog = options.accessLog ?? false;

  const metrics: ServiceMetrics = createServiceMetrics({
    version: options.version ?? 'unknown',
    commit: options.commit ?? 'unknown',
    startTimeSeconds: options.startTimeSeconds ?? Math.round(Date.now() / 1000 - process.uptime()),
  });
  metrics.setBehaviour(behaviour);
  const spread = new ErrorSpread(behaviour.errorRatio);
  let draining = false;
  // Latency timers of in-flight requests, cleared when a timed-out shutdown cuts connections.
  const pending = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();

  const send = (res: ServerResponse, req: IncomingMessage, status: number, body: string, contentType: string, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.headersSent) return;
    res.statusCode = status;
    res.setHeader('content-type', contentType);
    res.setHeader('content-length', Buffer.byteLength(body));
    res.setHeader('cache-control', 'no-store');
    // While draining, keep-alive connections close after their response so the server can finish.
    if (draining) res.setHeader('connection', 'close');
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  const json = (res: ServerResponse, req: IncomingMessage, status: number, body: unknown, headers?: Record<string, string>) =>
    send(res, req, status, `${JSON.stringify(body)}\n`, 'application/json; charset=utf-8', headers);

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      if (ms <= 0) return resolve();
      const entry = {
        resolve,
        timer: setTimeout(() => {
          pending.delete(entry);
          resolve();
        }, ms),
      };
      pending.add(entry);
    });

  const handleAdmin = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    if (!admin) {
      json(res, req, 403, { error: 'admin endpoints are disabled; start sample-api with SAMPLE_API_ADMIN=1 to enable them' });
      return;
    }
    if (path !== '/admin/behaviour') {
      json(res, req, 404, { error: `no admin endpoint ${path}; there is /admin/behaviour` });
      return;
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      json(res, req, 200, behaviour);
      return;
    }
    if (req.method !== 'PUT') {
      json(res, req, 405, { error: `method ${req.method} not allowed on ${path}` }, { allow: 'GET, HEAD, PUT' });
      return;
    }
    const text = await readBody(req);
    let input: unknown;
    try {
      input = JSON.parse(text);
    } catch (error) {
      throw new HttpError(400, `body is not valid JSON (${(error as Error).message}); send e.g. {"errorRatio":0.05,"latencyMs":50}`);
    }
    const result = validateBehaviourUpdate(input, behaviour);
    if (!result.ok) {
      json(res, req, 400, { error: `invalid behaviour: ${result.errors.join('; ')}`, details: result.errors });
      return;
    }
    api.setBehaviour(result.value);
    json(res, req, 200, behaviour);
  };

  const handleTraffic = async (req: IncomingMessage, res: ServerResponse, path: string) => {
    const started = process.hrtime.bigint();
    const matched = matchTraffic(path);
    const route = matched?.route ?? 'unmatched';
    const method = KNOWN_METHODS.has(req.method ?? '') ? (req.method as string) : 'OTHER';
    metrics.inFlight.inc();
    res.on('close', () => {
      metrics.inFlight.dec();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      // 499 (client closed request, as nginx logs it) when the response never completed.
      const code = res.writableFinished ? String(res.statusCode) : '499';
      metrics.record({ code, method, route }, seconds);
      if (accessLog) log('info', 'request', { method, path, route, code: Number(code), durationMs: Math.round(seconds * 1000) });
    });
    if (!matched) {
      json(res, req, 404, { error: `no route for ${path}` });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, req, 405, { error: `method ${req.method} not allowed on ${route}` }, { allow: 'GET, HEAD' });
      return;
    }
    const fail = spread.next();
    await wait(behaviour.latencyMs);
    if (fail) {
      json(res, req, 500, { error: 'injected error (behaviour errorRatio)' });
      return;
    }
    if (matched.id === undefined) {
      json(res, req, 200, { items: CASES, total: CASES.length });
      return;
    }
    const found = findCase(matched.id);
    if (found) json(res, req, 200, found);
    else json(res, req, 404, { error: `no case ${matched.id}` });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    const probe = req.method === 'GET' || req.method === 'HEAD';
    switch (path) {
      case '/healthz':
        if (!probe) return json(res, req, 405, { error: `method ${req.method} not allowed on ${path}` }, { allow: 'GET, HEAD' });
        return send(res, req, 200, 'ok\n', 'text/plain; charset=utf-8');
      case '/readyz':
        if (!probe) return json(res, req, 405, { error: `method ${req.method} not allowed on ${path}` }, { allow: 'GET, HEAD' });
        return draining ? send(res, req, 503, 'draining\n', 'text/plain; charset=utf-8') : send(res, req, 200, 'ready\n', 'text/plain; charset=utf-8');
      case '/metrics':
        if (!probe) return json(res, req, 405, { error: `method ${req.method} not allowed on ${path}` }, { allow: 'GET, HEAD' });
        return send(res, req, 200, metrics.registry.expose(), EXPOSITION_CONTENT_TYPE);
    }
    if (path === '/admin' || path.startsWith('/admin/')) return handleAdmin(req, res, path);
    return handleTraffic(req, res, path);
  };

  const server: Server = createHttpServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof HttpError) return json(res, req, error.status, { error: error.message });
      log('error', 'request failed', { error: error instanceof Error ? error.message : String(error), path: req.url });
      json(res, req, 500, { error: 'internal error' });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const url = `http://${clientHost(host)}:${address.port}`;
  const traffic = new SelfTraffic(`${url}/api/cases`, selfTrafficRps, log);

  let closing: Promise<void> | undefined;
  const api: SampleApi = {
    url,
    port: address.port,
    host,
    get draining() {
      return draining;
    },
    behaviour: () => behaviour,
    setBehaviour(update) {
      behaviour = assertBehaviour({ ...behaviour, ...update });
      spread.reset(behaviour.errorRatio);
      metrics.setBehaviour(behaviour);
      log('info', 'behaviour changed', { ...behaviour });
      return behaviour;
    },
    metrics: () => metrics.registry.expose(),
    close() {
      closing ??= (async () => {
        draining = true;
        traffic.stop();
        log('info', 'draining', { shutdownDelayMs, shutdownTimeoutMs });
        if (shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, shutdownDelayMs));
        const inFlight = await new Promise<number>((resolve) => {
          server.getConnections((_e, count) => resolve(count));
        });
        await new Promise<void>((resolve) => {
          const timeout = setTimeout(() => {
            log('warn', 'shutdown timeout: closing remaining connections', { shutdownTimeoutMs });
            for (const entry of pending) {
              clearTimeout(entry.timer);
              entry.resolve();
            }
            pending.clear();
            server.closeAllConnections();
          }, shutdownTimeoutMs);
          server.close(() => {
            clearTimeout(timeout);
            resolve();
          });
          server.closeIdleConnections();
        });
        log('info', 'stopped', { openConnectionsAtListenerClose: inFlight });
      })();
      return closing;
    },
  };

  log('info', 'listening', { port: address.port, host, url, admin, ...behaviour, selfTrafficRps });
  traffic.start();
  return api;
}
