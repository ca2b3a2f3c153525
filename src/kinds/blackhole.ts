import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { defineSink } from '../actors/kind.js';

export const blackholeConfig = z
  .strictObject({
    delayMs: z.number().nonnegative().default(0).describe('Time each batch takes, to model a slow sink in load and backpressure tests.'),
  })
  .describe('Acknowledges and discards every record (counted in the actor metrics).');

export const blackholeKind = defineSink({
  name: 'blackhole',
  example: {},
  description: 'Discards records; for benchmarks and backpressure tests.',
  config: blackholeConfig,
  delivery: {
    guarantee: 'discards',
    detail: 'Acks every batch and stores nothing (counted in the metrics).',
  },
  create(config: z.output<typeof blackholeConfig>, ctx) {
    return {
      async connect() {},
      async write() {
        if (config.delayMs > 0) await sleep(config.delayMs, undefined, { signal: ctx.signal });
      },
      async close() {},
    };
  },
});
