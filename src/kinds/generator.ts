import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { EndOfInput } from '../core/errors.js';
import type { SourceRead } from '../actors/io.js';
import { defineSource } from '../actors/kind.js';
import type { LogRecord } from '../streams/record.js';

export const generatorConfig = z
  .strictObject({
    count: z.number().int().nonnegative().optional().describe('Records to emit in all; omit for an endless stream.'),
    rate: z.number().nonnegative().default(0).describe('Records per second; 0 emits as fast as downstream accepts.'),
    batchSize: z.number().int().positive().default(500).describe('Records per batch.'),
    keys: z.number().int().nonnegative().default(0).describe('Distinct keys (k0, k1, ...) assigned round-robin; 0 for no key.'),
    payloadBytes: z.number().int().positive().default(100).describe('Size of each record value in bytes.'),
    stream: z.string().optional().describe('Stream id stamped on every record.'),
  })
  .describe('Emits numbered synthetic records (`seq=N` padded to payloadBytes). Resumes after the last acknowledged record on restart.');

/** Value of record `seq`: deterministic, so tests can check exactly what arrived. */
export function generatorValue(seq: number, payloadBytes: number, pad: string): string {
  const head = `seq=${seq} `;
  return head.length >= payloadBytes ? head : head + pad.slice(0, payloadBytes - head.length);
}

export const generatorKind = defineSource({
  name: 'generator',
  example: { count: 1000, keys: 16 },
  description: 'Synthetic records at a given rate and count, for load tests and examples.',
  config: generatorConfig,
  create(config: z.output<typeof generatorConfig>, ctx) {
    const pad = 'x'.repeat(config.payloadBytes);
    const saved = ctx.checkpoint.get();
    let next = typeof saved === 'number' ? saved : 0;
    const started = performance.now();
    const startSeq = next;
    return {
      async connect() {},
      async read(): Promise<SourceRead<number>> {
        const end = config.count ?? Number.POSITIVE_INFINITY;
        if (next >= end) throw new EndOfInput();
        const n = Math.min(config.batchSize, end - next);
        if (config.rate > 0) {
          const due = started + ((next - startSeq) * 1000) / config.rate;
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait, undefined, { signal: ctx.signal });
        }
        const records: LogRecord[] = new Array<LogRecord>(n);
        const ts = Date.now();
        for (let i = 0; i < n; i++) {
          const seq = next + i;
          const record: LogRecord = { value: generatorValue(seq, config.payloadBytes, pad), ts };
          if (config.keys > 0) record.key = `k${seq % config.keys}`;
          if (config.stream !== undefined) record.stream = config.stream;
          records[i] = record;
        }
        next += n;
        return { records, position: next, label: `seq ${next - n}..${next - 1}` };
      },
      commit(position: unknown) {
        ctx.checkpoint.set(position as number);
      },
      async close() {
        await ctx.checkpoint.flush();
      },
    };
  },
});
