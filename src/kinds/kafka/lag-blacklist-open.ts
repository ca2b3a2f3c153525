import type { ActorContext } from '../../actors/io.js';
import type { SharedLease } from '../../core/shared-resources.js';
import { InvalidConfig } from '../../core/errors.js';
import { asNotConnected, createKafka } from '../../transport/kafka-client.js';
import type { TransportConfig } from '../../transport/schema.js';
import { LagBlacklist } from '../../lag/blacklist.js';
import type { LagBlacklistConfig } from './lag-blacklist-config.js';
import { LocalBlacklistStore, type BlacklistStore } from '../../lag/store.js';
import { ZkBlacklistStore } from '../../lag/zk-store.js';
import { KafkaLagReader } from '../../lag/reader.js';

/** Whether `topic` is one the sink's topic template (`logs-{stream}`) makes. */
export function topicMatcher(template: string): (topic: string) => boolean {
  const pattern = new RegExp(`^${template.split('{stream}').map((s) => s.replace(/[.]/g, '\\.')).join('.+')}$`);
  return (topic) => pattern.test(topic);
}

/**
 * The lag blacklist of one kafka sink actor, shared by its replicas through `ctx.shared`: its
 * own admin client on the sink's cluster, and the ZooKeeper store (under
 * `<root>/lag-blacklist/<topic template>`, so every gateway writing these topics shares it) or
 * the local one.
 */
export function acquireLagBlacklist(ctx: ActorContext, config: LagBlacklistConfig, template: string, transport: TransportConfig): Promise<SharedLease<LagBlacklist>> {
  if (transport.type !== 'kafka') {
    throw new InvalidConfig(`kafka sink ${ctx.id}: lagBlacklist reads consumer lag from a Kafka cluster, but this sink writes to the embedded log; set the sink's cluster or the topology's transport to Kafka, or remove lagBlacklist`);
  }
  const open = async (): Promise<LagBlacklist> => {
    const admin = createKafka(transport, ctx.log).admin();
    try {
      await admin.connect();
    } catch (error) {
      // Unreachable brokers: the actor reconnects with backoff, as for its producers.
      throw asNotConnected(error, transport.brokers);
    }
    let store: BlacklistStore;
    try {
      store =
        config.zookeeper === undefined
          ? new LocalBlacklistStore()
          : await ZkBlacklistStore.open(config.zookeeper, `${config.zookeeper.root}/lag-blacklist/${template}`, `${ctx.id}`, ctx.log);
    } catch (error) {
      await admin.disconnect();
      throw error;
    }
    const blacklist = new LagBlacklist({ store, reader: new KafkaLagReader(admin, config.groups, topicMatcher(template)), rule: config, log: ctx.log });
    await blacklist.start();
    return blacklist;
  };
  return ctx.shared(`kafka-lag-blacklist:${ctx.stateDir}`, open, (b) => b.close());
}
