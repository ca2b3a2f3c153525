import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import { asText, collectSink } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';
import { build, missing, produce, seqs, start, transports, useTransport } from './helpers.js';

describe.each(transports)('kafka source topicPattern on the $name transport', ({ setup }) => {
  const env = useTransport(setup);

  it('started before any topic matches, warns that the pattern matches nothing, then consumes topics created later, each within topicRefreshMs, none lost', async () => {
    const prefix = `pattern-${Date.now()}`;
    const got: string[] = [];
    const warnings: { msg?: string; topicPattern?: string }[] = [];
    const log = pino(
      { level: 'warn' },
      new Writable({
        write(chunk: Buffer, _enc, done): void {
          for (const line of chunk.toString().split('\n').filter((l) => l.length > 0)) warnings.push(JSON.parse(line) as { msg?: string });
          done();
        },
      }),
    );
    const consumer = await start(
      build(env.transport, [
        { id: 'in', role: 'source', kind: kafkaSourceKind, config: { group: 'watchers', topicPattern: `^${prefix}-`, topicRefreshMs: 500, sessionTimeoutMs: 6000 } },
        { id: 'store', role: 'sink', kind: collectSink(got, { as: asText }), inputs: ['in'] },
      ]),
      log,
    );
    await eventually(() => warnings.some((w) => w.msg === 'topicPattern matches no topic yet' && w.topicPattern === `^${prefix}-`), { what: 'the warning that nothing matches', timeoutMs: 30_000 });
    await produce(env.transport, `${prefix}-a`, 2000);
    await eventually(() => got.length >= 2000, { what: 'the first topic', timeoutMs: 60_000 });
    await produce(env.transport, `${prefix}-b`, 3000);
    await eventually(() => got.length >= 5000, { what: 'the second topic', timeoutMs: 60_000 });
    await consumer.stop();
    // Each topic's generator numbers 0..n-1: 2000 twice over a and b, then b's 2000..2999.
    expect(missing(seqs(got), 3000)).toEqual([]);
    expect(got.length).toBeGreaterThanOrEqual(5000);
  }, 180_000);
});
