/**
 * A millrace process consuming a topic into a file, for the kill -9 test:
 *   node --import tsx consumer-child.ts <brokers> <topic> <group> <out-file>
 * kafka source (group) → file sink (fdatasync before each ack), until killed.
 */
import { fileSinkKind } from '../../../src/kinds/file/sink.js';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import { build, kafkaTransport, start } from './helpers.js';

const [brokers, topic, group, out] = process.argv.slice(2);
if (brokers === undefined || topic === undefined || group === undefined || out === undefined) {
  throw new Error('usage: consumer-child.ts <brokers> <topic> <group> <out-file>');
}
const t = build(kafkaTransport(brokers.split(',')), [
  { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group, topics: [topic], sessionTimeoutMs: 6000 } },
  { id: 'file', role: 'sink', kind: fileSinkKind, config: { path: out, format: 'lines', fsync: 'batch' }, inputs: ['in'] },
]);
await start(t);
process.stdout.write('running\n');
