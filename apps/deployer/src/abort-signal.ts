import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeFileAtomic } from './fs-atomic.js';

/** `abort` asks the running deployer to stop through a file beside the lock; the holder polls it. */
export const AbortRequest = z.object({ by: z.string(), reason: z.string(), at: z.string() });
export type AbortRequest = Readonly<z.infer<typeof AbortRequest>>;

export function abortFile(stateDir: string, environment: string): string {
  return path.join(stateDir, 'locks', `${environment}.abort.json`);
}

export function requestAbort(stateDir: string, environment: string, request: AbortRequest): void {
  writeFileAtomic(abortFile(stateDir, environment), `${JSON.stringify(request, null, 2)}\n`);
}

export function readAbort(stateDir: string, environment: string): AbortRequest | undefined {
  return readJsonFile(abortFile(stateDir, environment), AbortRequest);
}

export function clearAbort(stateDir: string, environment: string): void {
  fs.rmSync(abortFile(stateDir, environment), { force: true });
}
