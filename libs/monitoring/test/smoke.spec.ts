import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'vitest';
import { platform } from '@cios/catalog';
import { generateMonitoring, validateDirectory, writeFilesAtomically } from '../src/index.js';

it('smoke', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mon-'));
  const t0 = Date.now();
  const g = generateMonitoring({ platform, environment: 'prod', format: 'files' });
  console.log('gen ms', Date.now() - t0, Object.keys(g.files).length);
  await writeFilesAtomically(join(dir, 'out'), g.files);
  const t1 = Date.now();
  const report = await validateDirectory(join(dir, 'out'), { onStep: (s) => console.log(s, Date.now() - t1) });
  for (const c of report.checks) if (!c.ok) console.log(c.name, c.output.slice(0, 3000));
  console.log('validate ms', Date.now() - t1, report.ok, join(dir, 'out'));
}, 600_000);
