import { z } from 'zod';
import { zookeeperSchema } from '../coord/zk-config.js';

/** The topology's `coordination`: how the processes running it on several hosts see each other. */
export const coordinationSchema = z
  .strictObject({
    zookeeper: zookeeperSchema.describe(
      'Each process running this topology registers itself here (host, pid, inspector address, topology, version, start time) while it runs; `millrace top --cluster` lists them. A killed process disappears when its session expires.',
    ),
  })
  .describe('Coordination of the processes that run this topology on one or more hosts.');

export type CoordinationConfig = z.output<typeof coordinationSchema>;
