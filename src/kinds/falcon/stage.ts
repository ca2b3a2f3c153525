import { z } from 'zod';
import { defineStage } from '../../actors/kind.js';
import type { LogRecord } from '../../streams/record.js';
import { aggregate, metricsOf } from './metric.js';

export const falconStageConfig = z
  .strictObject({})
  .describe('Turns binlog row changes into Open-Falcon data points by the watch rules each record carries (binlog source with `watch`).');

/**
 * The `falcon` stage: binlog row changes in, Open-Falcon data points out (`{ endpoint, metric,
 * timestamp, step, value, counterType, tags }`, the agent's push format), per the watch rules the
 * binlog source attached to each record. Metric `<db>.<table>.<field>`; tags are the rule's plus
 * the primary key (`id=42`), so each row is its own counter. Within a batch, a counter's points
 * in one step are combined by the rule's aggregation (last, sum, max, min). Deletes, NULL and
 * non-numeric values give no point. Records without rules give nothing.
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
  create() {
    return {
      process(batch) {
        const records = aggregate(batch.records.flatMap(metricsOf)).map(
          (m): LogRecord => ({ value: { ...m }, key: `${m.endpoint}/${m.metric}/${m.tags}`, ts: m.timestamp * 1000 }),
        );
        return { records };
      },
    };
  },
});
