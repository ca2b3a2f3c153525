import { describe, expect, it } from 'vitest';
import { kafkaSourceKind } from '../../../src/kinds/kafka/source.js';
import type { Runtime } from '../../../src/runtime/runtime.js';
import { asText, collectSink, Gate } from '../../kit/collect-sink.js';
import { eventually } from '../../kit/eventually.js';
import { build, missing, produce, seqs, start, transports, useTransport } from './helpers.js';

interface PartitionView {
  position: number | null;
  committed: number | null;
  paused: boolean;
}

function partitions(runtime: Runtime): PartitionView[] {
  const status = runtime.nodes.get('in')?.io[0]?.status?.() as { partitions?: PartitionView[] } | undefined;
  return status?.partitions ?? [];
}

/** Records the consumer has fetched from the log but that the sink has not acknowledged. */
function fetchedUnacked(runtime: Runtime): number {
  return partitions(runtime).reduce((n, p) => n + (p.position ?? 0) - (p.committed ?? 0), 0);
}

describe.each(transports)('kafka source backpressure on the $name transport', ({ setup }) => {
  const env = useTransport(setup);

  it('a stalled sink pauses the partitions and keeps fetched records bounded, then everything flows once it resumes', async () => {
    const topic = `stall-${Date.now()}`;
    const total = 60_000;
    await produce(env.transport, topic, total);
    const got: string[] = [];
    const gate = new Gate();
    gate.close();
    const runtime = await start(
      build(env.transport, [
        {
          id: 'in',
          role: 'source',
          kind: kafkaSourceKind,
          config: { group: 'stalled', topics: [topic], maxBufferedRecords: 2000, maxBufferedBytes: 256 * 1024, sessionTimeoutMs: 6000 },
        },
        { id: 'store', role: 'sink', kind: collectSink(got, { as: asText, gate }), inputs: ['in'], maxRecords: 1000 },
      ]),
    );
    await eventually(() => partitions(runtime).length > 0 && partitions(runtime).every((p) => p.paused), { what: 'every partition paused', timeoutMs: 60_000 });
    const held = fetchedUnacked(runtime);
    await new Promise((r) => setTimeout(r, 2000));
    // Paused means paused: nothing more was fetched while the sink stayed stalled.
    expect(fetchedUnacked(runtime)).toBe(held);
    // The buffer (2000 records / 256 KiB) + the fetch in flight when it paused (<= 128 KiB) + the
    // channel (1000 records, one batch over) + the batch stuck in the stalled write: a few thousand,
    // out of 60 000 in the topic.
    expect(held).toBeLessThan(8000);
    expect(got).toHaveLength(0);

    gate.open();
    await eventually(() => seqs(got).size >= total, { what: 'every record after the sink resumed', timeoutMs: 90_000 });
    expect(partitions(runtime).some((p) => p.paused)).toBe(false);
    await runtime.stop();
    expect(missing(seqs(got), total)).toEqual([]);
  }, 240_000);
});
