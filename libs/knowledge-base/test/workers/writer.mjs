// A writer process used by the concurrency and crash tests.
// usage: node writer.mjs FILE TAG COUNT [ack]
// Each change appends `${TAG}-${i}` to the top-level array "test_items" via update().
// With "ack", prints "ACK <item>" after each change is committed.
import { update } from '../../dist/index.js';

const [file, tag, countText, mode] = process.argv.slice(2);
const count = Number(countText);
if (mode === 'ack') process.stdout.write('READY\n');
for (let i = 0; i < count; i++) {
  const item = `${tag}-${i}`;
  await update(
    (kb) => {
      const items = (kb.test_items ??= []);
      items.push(item);
    },
    { file, timeoutMs: 60_000, agent: tag },
  );
  if (mode === 'ack') process.stdout.write(`ACK ${item}\n`);
}
