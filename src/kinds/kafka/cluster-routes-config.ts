import { z } from 'zod';
import { kafkaTransportSchema } from '../../transport/schema.js';

export const clusterRoutesSchema = z
  .strictObject({
    header: z.string().min(1).default('cluster').describe('Record header naming the cluster a record goes to (the gateway sets it from the stream registry with `clusterHeader`); it is removed before the record is written.'),
    own: z.string().min(1).default('default').describe("The registry's name for this sink's own cluster (the topology transport or `cluster`): records naming it, or no cluster, go there."),
    clusters: z
      .record(z.string().min(1), kafkaTransportSchema.omit({ type: true }))
      .describe('The other clusters by registry name: brokers and client settings. A record naming a cluster that is neither here nor `own` is dead-lettered with the name.'),
  })
  .describe("Routes each record to the Kafka cluster its header names (a stream's `cluster` in the registry), one producer pool per cluster.");

export type ClusterRoutesConfig = z.output<typeof clusterRoutesSchema>;
