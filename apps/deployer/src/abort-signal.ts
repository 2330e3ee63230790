import * as fs from 'node:fs';
import * as path from 'node:path';
import { readJsonFile, writeFileAtomic } from './fs-atomic.js';

/** `abort` asks the running deployer to stop through a file beside the lock; the holder polls it. */
export interface AbortRequest {
  readonly by: string;
  readonly reason: string;
  readonly at: string;
}

export function abortFile(stateDir: string, environment: string): string {
  return path.join(stateDir, 'locks', `${environment}.abort.json`);
}

export function requestAbort(stateDir: string, environment: string, request: AbortRequest): void {
  writeFileAtomic(abortFile(stateDir, environment), `${JSON.stringify(request, null, 2)}\n`);
}

export function readAbort(stateDir: string, environment: string): AbortRequest | undefined {
  return readJsonFile<AbortRequest>(abortFile(stateDir, environment));
}

export function clearAbort(stateDir: string, environment: string): void {
  fs.rmSync(abortFile(stateDir, environment), { force: true });
}
