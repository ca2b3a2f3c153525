import { z } from 'zod';
import type { DeadRecord } from '../actors/io.js';
import { defineStage } from '../actors/kind.js';
import type { Json, LogRecord } from '../streams/record.js';
import { textOf } from '../core/text-or-bytes.js';

export const distributeConfig = z
  .strictObject({
    by: z
      .enum(['key', 'field', 'roundRobin'])
      .default('key')
      .describe(
        'key: hash of the record key; field: hash of a header or top-level JSON field (see `field`); roundRobin: each consumer in turn.',
      ),
    field: z
      .string()
      .min(1)
      .optional()
      .describe(
        'With by: field, the header name or top-level field of an object value to hash; a header of that name wins.',
      ),
  })
  .refine((c) => c.by !== 'field' || c.field !== undefined, {
    message: 'by: field needs `field: <name>`',
    path: ['field'],
  })
  .describe(
    'Routes each record to exactly one of its consumers. by key/field: records with the same key go to the same consumer, in the order this stage received them.',
  );

/**
 * 32-bit FNV-1a of a string's UTF-16 code units: stable across processes and versions, so a key
 * always lands on the same consumer for a given consumer count.
 *
 * @example
 * fnv1a('') === 0x811c9dc5;
 */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

function fieldText(value: Json | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * The `distribute` stage: a partitioning stage returning one array per consumer (in
 * `ctx.consumers` order). Hash routing (`key`, `field`) sends every record of a key to the same
 * consumer, so per-key order holds downstream as far as this stage's input order does: with one
 * replica, exactly; with several, batches race and only per-batch order is kept. A record without
 * the key or field is dead-lettered. Records pass unchanged; at-least-once.
 *
 * @example
 * // topology.yaml
 * // - id: spread
 * //   kind: distribute
 * //   inputs: [decompress]
 * //   config: { by: key }
 * // - { id: transcode-a, kind: transcode, inputs: [spread] }
 * // - { id: transcode-b, kind: transcode, inputs: [spread] }
 */
export const distributeKind = defineStage({
  name: 'distribute',
  example: { by: 'key' },
  description: 'Routes each record to one consumer by key hash, field hash or round robin.',
  config: distributeConfig,
  create(config: z.output<typeof distributeConfig>, ctx) {
    const n = ctx.consumers.length;
    if (n === 0)
      throw new Error(`distribute ${ctx.id} has no consumers: list it in some actor's inputs`);
    let turn = ctx.replica % n;
    const sent = new Array<number>(n).fill(0);
    const routeKey = (record: LogRecord): string | undefined => {
      if (config.by === 'key') return record.key === undefined ? undefined : textOf(record.key);
      const name = config.field as string;
      const header = record.headers?.[name];
      if (header !== undefined) return textOf(header);
      const value = record.value;
      if (typeof value !== 'object' || value instanceof Uint8Array || Array.isArray(value))
        return undefined;
      return fieldText(value[name]);
    };
    return {
      process(batch) {
        const partitions: LogRecord[][] = Array.from({ length: n }, () => []);
        const dead: DeadRecord[] = [];
        for (const record of batch.records) {
          let target: number;
          if (config.by === 'roundRobin') {
            target = turn;
            turn = (turn + 1) % n;
          } else {
            const key = routeKey(record);
            if (key === undefined) {
              dead.push({
                record,
                reason:
                  config.by === 'key'
                    ? 'distribute by key: the record has no key'
                    : `distribute by field: no header or field "${config.field}"`,
              });
              continue;
            }
            target = fnv1a(key) % n;
          }
          (partitions[target] as LogRecord[]).push(record);
          sent[target] = (sent[target] ?? 0) + 1;
        }
        return { partitions, dead };
      },
      status() {
        return { sent: Object.fromEntries(ctx.consumers.map((id, i) => [id, sent[i] ?? 0])) };
      },
    };
  },
});
