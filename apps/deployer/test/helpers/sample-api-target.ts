import { createServer, type SampleApi } from '@cios/sample-api';

/**
 * The watched target of the live tests: the real apps/sample-api, in process. The test drives its
 * traffic (GET /api/cases at `rps` per second) so it can go quiet for the zero-traffic case, and sets
 * the injected error ratio through the app's own behaviour control.
 */
export class SampleApiTarget {
  private app: SampleApi | undefined;
  private timer: NodeJS.Timeout | undefined;
  private carry = 0;
  private ratio = 0;
  private readonly inFlight = new Set<Promise<void>>();
  /** Requests per second the test sends; 0 makes the service idle. */
  rps = 0;

  get port(): number {
    if (!this.app) throw new Error('sample-api is not started');
    return this.app.port;
  }

  get errorRatio(): number {
    return this.ratio;
  }

  /** Share of traffic requests the app answers with 500 (its deterministic error spread). */
  set errorRatio(value: number) {
    this.ratio = value;
    this.app?.setBehaviour({ errorRatio: value });
  }

  async start(): Promise<void> {
    this.app = await createServer({ host: '127.0.0.1', port: 0, behaviour: { errorRatio: this.ratio }, admin: true });
    this.timer = setInterval(() => this.tick(0.1), 100);
  }

  private tick(seconds: number): void {
    if (!this.app) return;
    this.carry += this.rps * seconds;
    const n = Math.floor(this.carry);
    this.carry -= n;
    for (let i = 0; i < n; i++) {
      const request = fetch(`${this.app.url}/api/cases`)
        .then((r) => r.arrayBuffer())
        .then(
          () => undefined,
          () => undefined,
        );
      this.inFlight.add(request);
      void request.finally(() => this.inFlight.delete(request));
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await Promise.all([...this.inFlight]);
    await this.app?.close();
    this.app = undefined;
  }
}
