import type { OutgoingMessage } from '../message-log.js';
import { ByteWriter } from './byte-writer.js';
import { produceResponse, sendRequest, type Broker, type ProduceResponseData, type RequestDefinition } from './kafkajs-internals.js';
import type { PartitionGroups } from './partitioning.js';
import { writeRecordBatch, type Compress } from './record-batch.js';

const PRODUCE_API_KEY = 0;

/** How a producer writes its batches. */
export interface BatchSettings {
  acks: -1 | 1;
  timeoutMs: number;
  codec: number;
  compress?: Compress;
  producerId: bigint;
  producerEpoch: number;
  /** First sequence of a partition's batch (idempotence); -1 when not idempotent. */
  sequenceOf: (partition: number) => number;
}

/**
 * Writes the body of a Produce request (v3 to v7 share it: transactional id, acks, timeout, one
 * topic, one record batch per partition) for `partitions` of `groups` into `w`.
 */
export async function writeProduceRequest(
  w: ByteWriter,
  scratch: ByteWriter,
  topic: string,
  messages: readonly OutgoingMessage[],
  groups: PartitionGroups,
  partitions: readonly number[],
  settings: BatchSettings,
): Promise<void> {
  w.reset();
  w.int16(-1);
  w.int16(settings.acks);
  w.int32(settings.timeoutMs);
  w.int32(1);
  w.string(topic);
  w.int32(partitions.length);
  const now = Date.now();
  for (const p of partitions) {
    w.int32(p);
    const sizeAt = w.offset;
    w.int32(0);
    const producer = { producerId: settings.producerId, producerEpoch: settings.producerEpoch, baseSequence: settings.sequenceOf(p) };
    await writeRecordBatch(w, scratch, messages, groups.order, groups.starts[p]!, groups.starts[p + 1]!, producer, settings.codec, settings.compress, now);
    w.buf.writeInt32BE(w.offset - sizeAt - 4, sizeAt);
  }
}

interface ProduceArgs {
  body: Buffer;
}

/** kafkajs negotiates the version (the highest both sides know) and decodes the response. */
const PRODUCE: RequestDefinition<ProduceArgs> = {
  versions: ['3', '4', '5', '6', '7'],
  protocol:
    ({ version }) =>
    ({ body }) => {
      const codec = produceResponse(version);
      return {
        request: {
          apiKey: PRODUCE_API_KEY,
          apiVersion: version,
          apiName: 'Produce',
          expectResponse: () => true,
          encode: async () => ({ buf: body, buffer: body }),
        },
        // Partition errors are sorted out by the caller: the partitions that succeeded stay done.
        response: { decode: codec.decode, parse: async (data: ProduceResponseData) => data },
      };
    },
};

/** Per-partition outcome of a Produce request. */
export interface ProduceOutcome {
  acked: number[];
  failed: number[];
  /** kafkajs' error for the first failed partition. */
  error?: unknown;
}

/** Sends a Produce request body to `broker` and sorts its partitions into acknowledged and failed. */
export async function sendProduce(broker: Broker, body: Buffer): Promise<ProduceOutcome> {
  const request = broker.lookupRequest(PRODUCE_API_KEY, PRODUCE)({ body });
  const data = await sendRequest(broker, request);
  const acked: number[] = [];
  const failed: ProduceResponseData['topics'][number]['partitions'] = [];
  for (const t of data.topics) {
    for (const p of t.partitions) {
      if (p.errorCode === 0) acked.push(p.partition);
      else failed.push(p);
    }
  }
  if (failed.length === 0) return { acked, failed: [] };
  let error: unknown;
  try {
    await produceResponse(request.request.apiVersion).parse({ topics: [{ topicName: data.topics[0]?.topicName ?? '', partitions: failed }] });
  } catch (e) {
    error = e;
  }
  return { acked, failed: failed.map((p) => p.partition), error };
}
