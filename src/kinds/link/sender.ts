import { defineSink } from '../../actors/kind.js';
import { TopicSpecs } from '../../link/topic-spec.js';
import { openMessageLog } from '../../transport/open-message-log.js';
import { senderTlsOptions } from './link-security.js';
import { queueDirOf } from './queue-config.js';
import { linkSenderConfig, type LinkSenderConfig } from './sender-config.js';
import { SenderSide } from './sender-side.js';
import { SourceGroupOffsets } from './source-group-offsets.js';
import type { TransportConfig } from '../../transport/schema.js';
import type { Logger } from 'pino';
import { InvalidConfig } from '../../core/errors.js';
import { toWire } from './wire-mapping.js';

/** The reader of the source groups' offsets (config.checkpoints), on the cluster the topology reads. */
function groupOffsetsOf(config: LinkSenderConfig, transport: TransportConfig, log: Logger): SourceGroupOffsets | undefined {
  if (config.checkpoints === undefined) return undefined;
  if (transport.type !== 'kafka')
    throw new InvalidConfig(`link ${config.link}: checkpoints read the source cluster's consumer group offsets, so the topology's transport must be kafka (it is ${transport.type}); remove checkpoints or set transport.type: kafka`);
  return new SourceGroupOffsets(transport, log, config.link, new RegExp(config.checkpoints.groups));
}

/**
 * The `link` sink: the sending end of a mirror link. A batch is appended to the disk queue
 * (fsynced) before `write` resolves, so the source commits only what is on disk; a link actor
 * ships the queue to the receiver (see docs/decisions/mirror-link.md).
 *
 * @example
 * nodes:
 *   out:
 *     kind: link
 *     inputs: [in]
 *     config: { link: dc1-dc2, host: mirror.dc2.example, port: 9400 }
 */
export const linkSenderKind = defineSink({
  name: 'link',
  example: { link: 'dc1-dc2', host: '127.0.0.1', port: 9400 },
  description: 'Sends records to a link receiver in another data centre: disk queue, sequence numbers, LZ4 or Brotli frames, heartbeats, resume after any failure.',
  config: linkSenderConfig,
  delivery: {
    guarantee: 'at-least-once',
    detail:
      'Each batch is fsynced to the disk queue before it is acked; at maxQueueBytes the sink waits (the source is held back) rather than drop. Records straight from a kafka source are queued once (their topic/partition/offset is remembered, so a redelivery after a crash is skipped) and reach the receiver exactly once; other records redelivered after a crash are queued again.',
  },
  create(config: LinkSenderConfig, ctx) {
    const dir = queueDirOf(config, ctx);
    let lease: { resource: SenderSide; release(): Promise<void> } | undefined;
    return {
      async connect() {
        await lease?.release();
        lease = undefined;
        lease = await ctx.shared(
          `link-sender:${dir}`,
          () => {
            const specs = config.topicSpecs ? new TopicSpecs(openMessageLog(ctx.transport, ctx.log, ctx.shared).admin(), config.topicSpecsRefreshMs) : undefined;
            return SenderSide.open(dir, config, senderTlsOptions(config.tls, ctx.baseDir), ctx.log, specs, groupOffsetsOf(config, ctx.transport, ctx.log));
          },
          (side) => side.close(),
        );
      },
      async write(batch) {
        if (lease === undefined) throw new Error(`link sink ${ctx.id} is not connected`);
        await lease.resource.append(toWire(batch.records, batch.origin, config.defaultTopic), ctx.signal);
      },
      async close() {
        await lease?.release();
        lease = undefined;
      },
      status() {
        if (lease === undefined) return { state: 'closed' };
        const { queue, sender, blockedSince, age, heartbeatsQueued, groupOffsetsQueued, groupOffsetsFailed } = lease.resource;
        const s = sender.stats;
        return { ...s, heartbeatsQueued, groupOffsetsQueued, groupOffsetsFailed, queued: queue.head, queueDepth: queue.head - s.seqAcked, queueAgeMs: age.ageMs(), queueBytes: queue.sizeBytes, trimmedTo: queue.trimmed, fullSince: blockedSince ?? null, ...sender.topics.flat() };
      },
    };
  },
});
