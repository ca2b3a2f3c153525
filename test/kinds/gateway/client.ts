import * as grpc from '@grpc/grpc-js';
import { StreamRegistry } from '../../../src/db/stream-registry.js';
import { encodeRecords, transportGrpc, type AckMessage, type BatchMessage, type TransportRecord } from '../../../src/gate/protocol.js';

/** The generated client, typed for the calls the tests make. */
export type Transport = grpc.Client & {
  Send(batch: Partial<BatchMessage>, metadata: grpc.Metadata, options: grpc.CallOptions, cb: (err: grpc.ServiceError | null, ack: AckMessage) => void): void;
  Health(req: object, cb: (err: grpc.ServiceError | null, reply: { serving: boolean }) => void): void;
};

export function transportClient(port: number): Transport {
  return new (transportGrpc())(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Transport;
}

/** A batch of `values` for `stream`, LZ4-compressed. */
export function batchOf(stream: string, token: string, agentId: string, sequence: number, values: readonly string[]): Partial<BatchMessage> {
  const records: TransportRecord[] = values.map((v) => ({ value: Buffer.from(v) }));
  return { streamId: stream, token, agentId, sequence: String(sequence), compression: 'LZ4', records: encodeRecords(records, 'LZ4'), count: records.length };
}

/** One Send: the ack, or the gRPC error (with its `retry-after-ms` trailer when pushed back). */
export function send(client: Transport, batch: Partial<BatchMessage>, timeoutMs = 30_000): Promise<{ ack?: AckMessage; error?: grpc.ServiceError }> {
  return new Promise((resolve) =>
    client.Send(batch, new grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (error, ack) => resolve(error ? { error } : { ack })),
  );
}

const RETRIED = new Set([grpc.status.UNAVAILABLE, grpc.status.RESOURCE_EXHAUSTED, grpc.status.DEADLINE_EXCEEDED, grpc.status.CANCELLED]);

/** Sends `batch` until it is acked, as an agent would: retries pushback and an unreachable gateway, until `giveUpMs`. */
export async function sendUntilAcked(client: Transport, batch: Partial<BatchMessage>, giveUpMs = 60_000): Promise<AckMessage> {
  const end = Date.now() + giveUpMs;
  for (;;) {
    const { ack, error } = await send(client, batch, 10_000);
    if (ack !== undefined) return ack;
    if (error === undefined || !RETRIED.has(error.code) || Date.now() > end) throw error ?? new Error('no answer');
    const after = Number(error.metadata.get('retry-after-ms')[0] ?? 50);
    await new Promise((r) => setTimeout(r, Math.min(after, 500)));
  }
}

/** A registry file at `path` holding `streams` (id -> token), with optional quota. */
export async function registryWith(path: string, streams: Record<string, string>, quotaRecordsPerSec?: number): Promise<void> {
  const registry = await StreamRegistry.open({ path });
  try {
    for (const [id, token] of Object.entries(streams)) await registry.add({ id, quotaRecordsPerSec: quotaRecordsPerSec ?? null }, token);
  } finally {
    await registry.close();
  }
}
