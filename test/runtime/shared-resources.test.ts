import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EndOfInput } from '../../src/core/errors.js';
import { defineSink, defineSource } from '../../src/actors/kind.js';
import type { LogRecord } from '../../src/streams/record.js';
import { run, topology } from './harness.js';

/** Opens and closes of the one resource the test kinds share, and who held it. */
interface Counts {
  opens: number;
  closes: number;
}

const empty = z.strictObject({});

function resource(counts: Counts): [string, () => string, () => void] {
  return [
    'test:resource',
    () => `resource ${++counts.opens}`,
    () => {
      counts.closes += 1;
    },
  ];
}

/** Emits `count` records; with `hold`, keeps a lease on the shared resource while it runs and releases it in close. */
function source(count: number, counts: Counts, hold: boolean) {
  return defineSource({
    name: 'src',
    description: 'test source',
    config: empty,
    create(_c, ctx) {
      let sent = 0;
      let release: (() => Promise<void>) | undefined;
      return {
        async connect() {
          if (hold) release = (await ctx.shared(...resource(counts))).release;
        },
        async read() {
          // Slow enough that the sink crashes and restarts while the source still runs.
          await new Promise((r) => setTimeout(r, 5));
          if (sent >= count) throw new EndOfInput();
          const records: LogRecord[] = [{ value: `r${sent}`, ts: 0 }];
          sent += 1;
          return { records, position: sent, label: `r${sent}` };
        },
        commit() {},
        async close() {
          await release?.();
        },
      };
    },
  });
}

/** Takes a lease in connect and never releases it itself; its first write crashes. */
function leakySink(counts: Counts, stored: string[]) {
  let writes = 0;
  return defineSink({
    name: 'leaky',
    description: 'test sink',
    config: empty,
    create(_c, ctx) {
      return {
        async connect() {
          await ctx.shared(...resource(counts));
        },
        async write(batch) {
          if (writes++ === 0) throw new Error('planned crash');
          for (const r of batch.records) stored.push(r.value as string);
        },
        async close() {},
      };
    },
  });
}

describe('shared resources in the runtime', () => {
  it("actors asking for the same key share one resource, and a crashed incarnation's lease is released by the runtime", async () => {
    const counts: Counts = { opens: 0, closes: 0 };
    const stored: string[] = [];
    await run(
      topology([
        { id: 'in', role: 'source', kind: source(20, counts, true) },
        { id: 'out', role: 'sink', kind: leakySink(counts, stored), inputs: ['in'] },
      ]),
    );
    expect(stored).toHaveLength(20);
    // The source held it throughout: the sink's crash and restart reused the one open resource.
    expect(counts.opens).toBe(1);
    // The sink never released its leases; the run's end (and its crash) did.
    expect(counts.closes).toBe(1);
  });

  it('a resource held only by a crashing actor is closed by the crash and opened again by its restart', async () => {
    const counts: Counts = { opens: 0, closes: 0 };
    const stored: string[] = [];
    await run(
      topology([
        { id: 'in', role: 'source', kind: source(20, counts, false) },
        { id: 'out', role: 'sink', kind: leakySink(counts, stored), inputs: ['in'] },
      ]),
    );
    expect(stored).toHaveLength(20);
    expect(counts.opens).toBe(2);
    expect(counts.closes).toBe(2);
  });
});
