// A millrace process for the kill -9 test: runs the topology file given as its argument until
// SIGTERM (graceful drain) or SIGKILL. Prints "started" on stdout once the topology runs.
// Usage: node --import tsx test/kinds/file/tail-child.ts <topology.yaml>
import { pino } from 'pino';
import { Runtime } from '../../../src/runtime/runtime.js';
import { formatTopologyErrors, loadTopology } from '../../../src/topology/index.js';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: tail-child.ts <topology.yaml>');
const loaded = await loadTopology(file);
if (!loaded.ok) {
  process.stderr.write(formatTopologyErrors(loaded.errors));
  process.exit(2);
}
const runtime = new Runtime(loaded.topology, { log: pino({ level: 'warn' }, pino.destination(2)) });
process.on('SIGTERM', () => void runtime.stop());
await runtime.start();
process.stdout.write('started\n');
const result = await runtime.finished;
process.exit(result.ok ? 0 : 1);
