import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in service whose request metrics the test controls: it counts simulated requests at
 * `rps` per second with a given error ratio and serves them in the CIOS metric names on /metrics.
 */
export class FakeService {
  private ok = 0;
  private errors = 0;
  private fast = 0;
  private timer: NodeJS.Timeout | undefined;
  private carry = 0;
  rps = 0;
  errorRatio = 0;
  private server: http.Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      if (req.url !== '/metrics') {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
      res.end(this.render());
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    this.timer = setInterval(() => this.tick(0.1), 100);
  }

  private tick(seconds: number): void {
    this.carry += this.rps * seconds;
    const n = Math.floor(this.carry);
    this.carry -= n;
    for (let i = 0; i < n; i++) {
      // Spread errors evenly so every scrape sees the intended ratio.
      const total = this.ok + this.errors + 1;
      if (this.errors < total * this.errorRatio) this.errors++;
      else this.ok++;
      this.fast++;
    }
  }

  private render(): string {
    const total = this.ok + this.errors;
    const lines = [
      '# TYPE http_requests_total counter',
      `http_requests_total{code="200",method="GET",route="/"} ${this.ok}`,
      `http_requests_total{code="500",method="GET",route="/"} ${this.errors}`,
      '# TYPE http_request_duration_seconds histogram',
    ];
    for (const le of ['0.05', '0.1', '0.2', '0.3', '0.5', '1', '2.5', '5', '+Inf']) {
      lines.push(`http_request_duration_seconds_bucket{method="GET",route="/",le="${le}"} ${this.fast}`);
    }
    lines.push(`http_request_duration_seconds_sum{method="GET",route="/"} ${this.fast * 0.01}`);
    lines.push(`http_request_duration_seconds_count{method="GET",route="/"} ${total}`);
    return `${lines.join('\n')}\n`;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server?.closeAllConnections();
  }
}
