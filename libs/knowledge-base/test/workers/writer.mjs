// A writer process used by the concurrency and crash tests.
// usage: node writer.mjs FILE TAG COUNT [ack|quiet] [update|queue]
// Each change records the item `${TAG}-${i}`:
//   update (default): appends it to the top-level array "test_items" via update();
//   queue: logs an infrastructure change whose `what` is the item via submitChange() (group commit).
// With "ack", prints "ACK <item>" after each change is committed.
import { submitChange, update } from '../../dist/index.js';

const [file, tag, countText, mode, path = 'update'] = process.argv.slice(2);
const count = Number(countText);
if (mode === 'ack') process.stdout.write('READY\n');
for (let i = 0; i < count; i++) {
  const item = `${tag}-${i}`;
  if (path === 'queue') {
    await submitChange('log-change', { by: `${tag} Agent`, what: item, why: 'test' }, { file, timeoutMs: 60_000, agent: tag });
  } else {
    await update(
      (kb) => {
        const items = (kb.test_items ??= []);
        items.push(item);
      },
      { file, timeoutMs: 60_000, agent: tag },
    );
  }
  if (mode === 'ack') process.stdout.write(`ACK ${item}\n`);
}
