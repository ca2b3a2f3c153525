import { hostname } from 'node:os';
import path from 'node:path';
import { defineSink } from '../../actors/kind.js';
import type { DeadRecord } from '../../actors/io.js';
import type { Json } from '../../streams/record.js';
import { agentSinkConfig, type AgentSinkConfig } from './config.js';
import { GatewayPool } from '../../gate/gateway-pool.js';
import { BatchRejected, Shipper } from '../../gate/shipper.js';
import { SpillQueue } from '../../gate/spill-queue.js';
import { streamBatches } from '../../gate/stream-batches.js';

const NO_STREAM = 'agent sink: the record has no stream id and no defaultStream is set (give the socket client a logId, or set defaultStream)';

/**
 * The `agent` sink: the host side of the stream transport. Records are cut into batches per
 * stream id and sent to a gateway (gRPC `Send`, LZ4); a write is done once every batch of it is
 * acked by a gateway or fsynced in the spill queue, which is replayed in order when a gateway
 * takes batches again. See README "Agent and gateway".
 */
export const agentSinkKind = defineSink({
  name: 'agent',
  example: { gateways: ['127.0.0.1:7400'], defaultStream: 'app' },
  description: 'Sends records per stream to millrace gateways over gRPC: acked batches, backoff, per-stream rate, disk spill, failover.',
  config: agentSinkConfig,
  delivery: {
    guarantee: 'at-least-once',
    detail:
      'A write is acked once each of its batches is acked by a gateway or fsynced in the spill queue (spill.enabled: false: by a gateway only). Spilled batches survive kill -9 and are replayed in order per stream with their original sequence numbers, so a gateway counts replays after a lost answer as duplicates. With spill.atCap drop-oldest, batches dropped at the cap are lost (counted).',
  },
  create(config: AgentSinkConfig, ctx) {
    const base = config.agentId ?? `${hostname()}/${ctx.id}${ctx.replicas > 1 ? `.${ctx.replica}` : ''}`;
    const spillDir = path.join(config.spill.dir === undefined ? path.join(ctx.stateDir, 'spill') : path.resolve(ctx.baseDir, config.spill.dir), String(ctx.replica));
    let shipper: Shipper | undefined;
    const stop = async (): Promise<void> => {
      const s = shipper;
      shipper = undefined;
      await s?.stop();
      await s?.queue?.close();
    };
    return {
      // Writes of a stream wait in its lane while a batch is out and then go as one batch, so many
      // small writes (a tail woken by every append) merge instead of queueing a round trip each.
      writesInFlight: 64,
      async connect() {
        await stop();
        const queue = config.spill.enabled ? await SpillQueue.open(spillDir, config.spill) : undefined;
        const pool = new GatewayPool(config.gateways, config.health, ctx.log);
        shipper = new Shipper({ ...config, replayInFlight: config.spill.replayInFlight }, pool, queue, `${base}@${Date.now()}`, ctx.log, ctx.signal);
        shipper.start();
      },
      async write(batch) {
        const s = shipper;
        if (s === undefined) throw new Error(`agent sink ${ctx.id} is not connected`);
        const { batches, unrouted } = streamBatches(batch.records, { defaultStream: config.defaultStream, maxRecords: config.maxBatchRecords, maxBytes: config.maxBatchBytes });
        const results = await Promise.allSettled(batches.map((b) => s.deliver(b.streamId, b.records)));
        const rejected: DeadRecord[] = [];
        results.forEach((r, i) => {
          if (r.status === 'fulfilled') return;
          if (!(r.reason instanceof BatchRejected)) throw r.reason;
          for (const record of (batches[i] as { sources: typeof batch.records }).sources) rejected.push({ record, reason: r.reason.message });
        });
        const dead = unrouted.map((record) => ({ record, reason: NO_STREAM }));
        const all = [...dead, ...rejected];
        return all.length > 0 ? { dead: all } : undefined;
      },
      close: stop,
      status(): { [key: string]: Json } {
        if (shipper === undefined) return { state: 'closed' };
        const current = shipper.pool.current;
        const queue = shipper.queue;
        return {
          ...shipper.stats,
          agentId: shipper.agentId,
          gateway: current ?? null,
          gatewayIndex: current === undefined ? -1 : config.gateways.indexOf(current),
          failovers: shipper.pool.failovers,
          gateways: shipper.pool.states(),
          spillBytes: queue?.sizeBytes ?? 0,
          spillPending: queue?.pending ?? 0,
          spillDroppedRecords: queue?.droppedRecords ?? 0,
          spillFullSince: queue?.fullSince ?? null,
        };
      },
    };
  },
});
