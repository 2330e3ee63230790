/** Progress on long steps: a live line on a TTY, plain lines otherwise (CI logs, --json, pipes). */
export interface Progress {
  step(text: string): void;
  done(text?: string): void;
  fail(text: string): void;
  info(text: string): void;
}

export function createProgress(stream: NodeJS.WriteStream, options: { json: boolean; redact: (s: string) => string }): Progress {
  const tty = Boolean(stream.isTTY) && !options.json && process.env['CI'] === undefined;
  const r = options.redact;
  let current: string | undefined;
  let started = 0;
  const elapsed = (): string => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  if (!tty) {
    return {
      step: (t) => {
        current = t;
        started = Date.now();
        stream.write(`… ${r(t)}\n`);
      },
      done: (t) => {
        stream.write(`✓ ${r(t ?? current ?? '')} (${elapsed()})\n`);
        current = undefined;
      },
      fail: (t) => {
        stream.write(`✗ ${r(t)}\n`);
        current = undefined;
      },
      info: (t) => stream.write(`  ${r(t)}\n`),
    };
  }
  const clear = (): void => {
    stream.write('\r\x1b[2K');
  };
  return {
    step: (t) => {
      if (current) clear();
      current = t;
      started = Date.now();
      stream.write(`⠿ ${r(t)}`);
    },
    done: (t) => {
      clear();
      stream.write(`\x1b[32m✓\x1b[0m ${r(t ?? current ?? '')} (${elapsed()})\n`);
      current = undefined;
    },
    fail: (t) => {
      clear();
      stream.write(`\x1b[31m✗\x1b[0m ${r(t)}\n`);
      current = undefined;
    },
    info: (t) => {
      if (current) clear();
      stream.write(`  ${r(t)}\n`);
      if (current) stream.write(`⠿ ${r(current)}`);
    },
  };
}
