import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const PROMETHEUS_BIN = ['/usr/bin/prometheus', '/usr/local/bin/prometheus'].find((p) => fs.existsSync(p));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Target {
  readonly port: number;
  readonly labels: Record<string, string>;
}

/** A real Prometheus on 127.0.0.1, scraping every second, in a temp dir it removes on stop. */
export class TestPrometheus {
  private child: ChildProcess | undefined;
  private dir = '';
  url = '';

  async start(targets: readonly Target[]): Promise<void> {
    if (!PROMETHEUS_BIN) throw new Error('prometheus is not installed: apt-get install -y --no-install-recommends prometheus');
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cios-prom-'));
    const port = await freePort();
    const config = [
      'global:',
      '  scrape_interval: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      ...targets.flatMap((t, i) => [
        `  - job_name: t${i}`,
        '    static_configs:',
        `      - targets: ['127.0.0.1:${t.port}']`,
        '        labels:',
        ...Object.entries(t.labels).map(([k, v]) => `          ${k}: '${v}'`),
      ]),
    ].join('\n');
    fs.writeFileSync(path.join(this.dir, 'prometheus.yml'), `${config}\n`);
    this.child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${path.join(this.dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${path.join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    this.child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    this.url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`prometheus exited: ${stderr}`);
      try {
        const r = await fetch(`${this.url}/-/ready`);
        if (r.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`prometheus not ready after 30s: ${stderr}`);
  }

  /** Waits until Prometheus has at least `samples` scrapes of a series, so rate() has data. */
  async waitFor(query: string, predicate: (v: number) => boolean, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const r = (await (await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(query)}`)).json()) as {
        data?: { result?: { value?: [number, string] }[] };
      };
      const v = r.data?.result?.[0]?.value?.[1];
      if (v !== undefined && predicate(Number(v))) return;
      await new Promise((res) => setTimeout(res, 250));
    }
    throw new Error(`timed out waiting for ${query}`);
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (child && child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
    }
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
