import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StreamRegistry } from '../../src/db/stream-registry.js';
import { Dispatcher } from '../../src/runtime/dispatcher.js';
import { useKafka } from '../infra/kafka/fixture.js';
import { eventually } from '../kit/eventually.js';
import { quietLog } from './harness.js';
import { createTopic, fileSink, sendSeqs, seqsIn } from './dispatch-helpers.js';

interface Delivered {
  value: string;
  headers?: Record<string, string>;
}

// Keeps the even sequence numbers, rewritten as `seq=<n>` with a marker the test checks.
const EVENS = `export function evens(record) {
  const seq = Number(String(record.value).slice(4));
  if (seq % 2 === 1) return null;
  return { ...record, value: 'seq=' + seq, headers: { ...record.headers, projected: 'yes' } };
}
`;

describe("dispatcher: a stream's projection/filter module between Kafka and its sinks (real Kafka)", () => {
  const kafka = useKafka();
  const open: { dispatcher: Dispatcher; registry: StreamRegistry }[] = [];

  afterEach(async () => {
    for (const { dispatcher, registry } of open.splice(0)) {
      await dispatcher.close();
      await registry.close();
    }
  }, 60_000);

  it('applies the module to every record (dropping what it returns null for), names the stream and file of a bad module, and starts once it is fixed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-dispatch-module-'));
    const registry = await StreamRegistry.open({ path: join(dir, 'streams.db') });
    const dispatcher = new Dispatcher(registry, { log: quietLog, dataDir: join(dir, 'data'), clusters: new Map([['default', kafka.brokers]]), once: false, pollMs: 200, drainTimeoutMs: 5000 });
    open.push({ dispatcher, registry });
    const id = `projected-${Date.now()}`;
    const module = join(dir, 'evens.mjs');
    writeFileSync(module, EVENS);
    await createTopic(kafka.brokers, id, 2);
    await registry.add({ id, sinks: [{ ...fileSink(`out/${id}.txt`), format: 'jsonl' }], module: { path: module, export: 'odds' } });
    await dispatcher.start();
    expect(dispatcher.status()).toMatchObject([{ stream: id, state: 'invalid', error: expect.stringContaining(`stream ${id}: projection/filter module ${module} has no function export "odds" (found: evens)`) }]);

    await registry.update(id, { module: { path: join(dir, 'missing.mjs') } });
    await eventually(() => dispatcher.status()[0]?.error?.includes('missing.mjs'), { what: 'the missing module named', timeoutMs: 10_000 });
    expect(dispatcher.status()[0]?.error).toContain(`stream ${id}`);

    await registry.update(id, { module: { path: module, export: 'evens' } });
    await sendSeqs(kafka.brokers, id, 0, 1000);
    const out = join(dir, 'data', 'out', `${id}.txt`);
    const lines = (): Delivered[] => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').slice(0, -1).map((l) => JSON.parse(l) as Delivered) : []);
    await eventually(() => lines().length >= 500, { what: 'the even records delivered', timeoutMs: 60_000 });
    const seqs = lines().map((l) => Number(l.value.slice(4)));
    expect(new Set(seqs).size).toBe(500);
    expect(seqs.every((s) => s % 2 === 0)).toBe(true);
    expect(lines().every((l) => l.headers?.projected === 'yes')).toBe(true);
    expect(seqsIn(out)).toEqual([]);
  }, 120_000);
});
