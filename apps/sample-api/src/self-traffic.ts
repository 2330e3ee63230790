import { Agent, request } from 'node:http';
import type { Logger } from './server.js';

/**
 * Calls the service's own traffic endpoint N times per second over loopback: real HTTP requests, so Prometheus
 * scraping the pod sees traffic (and injected errors) without a test driving load.
 */
export class SelfTraffic {
  static readonly MAX_RPS = 1000;
  /** How often the generator catches up with its schedule; finer spacing would cost CPU for nothing. */
  private static readonly TICK_MS = 50;

  private timer: NodeJS.Timeout | undefined;
  private agent: Agent | undefined;
  private startedAt = 0;
  private scheduled = 0;
  private inFlight = 0;
  private failuresLogged = false;

  constructor(
    private readonly url: string,
    private readonly rps: number,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.rps <= 0 || this.timer) return;
    this.agent = new Agent({ keepAlive: true, maxSockets: 32 });
    this.startedAt = performance.now();
    this.scheduled = 0;
    this.timer = setInterval(() => this.tick(), Math.min(SelfTraffic.TICK_MS, 1000 / this.rps));
    this.log('info', 'self traffic started', { rps: this.rps, url: this.url });
  }

  /** Stops scheduling; requests already sent finish (the drain waits for them), then the agent's sockets close. */
  stop(): void {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.releaseAgentWhenIdle();
  }

  private releaseAgentWhenIdle(): void {
    if (this.timer || this.inFlight > 0 || !this.agent) return;
    this.agent.destroy();
    this.agent = undefined;
  }

  private tick(): void {
    const due = Math.floor(((performance.now() - this.startedAt) * this.rps) / 1000);
    // With high added latency requests pile up; past this many in flight, the schedule skips instead of queueing.
    const cap = Math.max(16, this.rps * 2);
    while (this.scheduled < due) {
      this.scheduled += 1;
      if (this.inFlight >= cap) continue;
      this.send();
    }
  }

  private send(): void {
    const agent = this.agent;
    if (!agent) return;
    this.inFlight += 1;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      this.inFlight -= 1;
      this.releaseAgentWhenIdle();
    };
    const req = request(this.url, { agent, headers: { 'user-agent': 'sample-api-self-traffic' } }, (res) => {
      res.resume();
      res.on('end', done);
      res.on('error', done);
    });
    req.on('error', (error) => {
      done();
      // Expected while stopping (sockets destroyed); otherwise say it once, not once per request.
      if (this.timer && !this.failuresLogged) {
        this.failuresLogged = true;
        this.log('warn', 'self traffic request failed', { error: error.message });
      }
    });
    req.end();
  }
}
