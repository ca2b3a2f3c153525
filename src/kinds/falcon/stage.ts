import { z } from 'zod';
import type { DeadRecord } from '../../actors/io.js';
import { defineStage } from '../../actors/kind.js';
import type { LogRecord } from '../../streams/record.js';
import { aggregate, metricsOf, type MeteredPoint } from '../../cdc/falcon-metric.js';

export const falconStageConfig = z
  .strictObject({
    primaryKeyTags: z
      .boolean()
      .default(true)
      .describe('Add the row\'s primary key to the tags (`id=42`), so each row is its own counter. false: one counter per table and field, the points of all its rows in a step combined by the rule\'s aggregation (e.g. sum over the rows changed in that step).'),
  })
  .describe('Turns binlog row changes into Open-Falcon data points by the watch rules each record carries (binlog source with `watch`).');

/**
 * The `falcon` stage: binlog row changes in, Open-Falcon data points out (`{ endpoint, metric,
 * timestamp, step, value, counterType, tags }`, the agent's push format), per the watch rules the
 * binlog source attached to each record. Metric `<db>.<table>.<field>`; tags are the rule's plus
 * the primary key (`id=42`), so each row is its own counter. Within a batch, a counter's points
 * in one step are combined by the rule's aggregation (last, sum, max, min). Deletes and NULL give
 * no point; records without rules give nothing. A field a rule lists that the row lacks or holds
 * no number in is dead-lettered with the rule's id and the field (the row's other points still go).
 *
 * @example
 * stages:
 *   metrics: { kind: falcon, inputs: [orders] }
 */
export const falconStageKind = defineStage({
  name: 'falcon',
  example: {},
  description: 'Turns binlog row changes into Open-Falcon data points by the watch table rules they carry.',
  config: falconStageConfig,
  create(config: z.output<typeof falconStageConfig>) {
    return {
      process(batch) {
        const points: MeteredPoint[] = [];
        const dead: DeadRecord[] = [];
        for (const record of batch.records) {
          const metered = metricsOf(record, config.primaryKeyTags);
          for (const p of metered.points) points.push(p);
          if (metered.problems.length > 0) dead.push({ record, reason: metered.problems.join('; ') });
        }
        const records = aggregate(points).map((m): LogRecord => ({ value: { ...m }, key: `${m.endpoint}/${m.metric}/${m.tags}`, ts: m.timestamp * 1000 }));
        return dead.length > 0 ? { records, dead } : { records };
      },
    };
  },
});
