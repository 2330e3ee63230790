import type { Config } from '../config.js';
import type { Logger } from '../log.js';

export interface EngineContext {
  readonly config: Config;
  /** A private directory under /tmp, removed after the run. */
  readonly workdir: string;
  readonly secrets: readonly string[];
  readonly log: Logger;
}

export interface DumpedFile {
  readonly kind: 'database' | 'globals' | 'rdb' | 'collection';
  /** What it holds: a database, "globals", "rdb", or a collection. */
  readonly name: string;
  /** The object name's part after the stem, e.g. "app.dump". */
  readonly part: string;
  readonly path: string;
}

export interface EngineDump {
  readonly tools: Record<string, string>;
  readonly files: readonly DumpedFile[];
}

export interface Source {
  readonly host: string;
  readonly port: number;
}
