// Kinds of your own, in your own package: built with millrace's package API (src/index.ts) and
// listed under `plugins:` in a topology. Plain JavaScript here; a .ts file works the same way
// (loaded through tsx), and types come from 'millrace' either way.
import { EndOfInput, defineSource, defineStage, payloadText, z } from 'millrace';

/** Emits `from`, `from - 1`, ... down to 1, one record each; resumes after the last acknowledged number. */
export const countdown = defineSource({
  name: 'countdown',
  description: 'Counts down from a number, one record per step, then ends.',
  config: z.strictObject({
    from: z.number().int().positive().describe('The first number.'),
    batchSize: z.number().int().positive().default(10).describe('Records per batch.'),
  }),
  example: { from: 10 },
  create(config, ctx) {
    let next = ctx.checkpoint.get() ?? config.from;
    return {
      async connect() {},
      async read() {
        if (next < 1) throw new EndOfInput();
        const records = [];
        for (let i = 0; i < config.batchSize && next >= 1; i++, next--) records.push({ value: `t-minus ${next}`, key: String(next), ts: Date.now() });
        return { records, position: next, label: `countdown@${next + 1}` };
      },
      commit(position) {
        ctx.checkpoint.set(position);
      },
      async close() {
        await ctx.checkpoint.flush();
      },
    };
  },
});

/** Upper-cases text values; a value that is empty is dead-lettered with the reason. */
export const shout = defineStage({
  name: 'shout',
  description: 'Upper-cases text values and appends a suffix; empty values are dead-lettered.',
  config: z.strictObject({ suffix: z.string().default('!').describe('Appended to every value.') }),
  example: { suffix: '!!' },
  create(config) {
    return {
      process(batch) {
        const records = [];
        const dead = [];
        for (const record of batch.records) {
          const text = payloadText(record.value);
          if (text === '') dead.push({ record, reason: 'empty value: nothing to shout' });
          else records.push({ ...record, value: `${text.toUpperCase()}${config.suffix}` });
        }
        return { records, dead };
      },
    };
  },
});
