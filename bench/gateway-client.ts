/**
 * Load for the gateway benchmark, in a process of its own so it does not share the servers'
 * event loop: `node --import tsx bench/gateway-client.ts <port> <ms> <inFlight> <token>`.
 * Keeps `inFlight` Send calls of one stream open for `ms`, each a new batch (100 records of
 * 200 bytes, LZ4), and prints the batches acked as JSON.
 */
import * as grpc from '@grpc/grpc-js';
import { encodeRecords, transportGrpc, type AckMessage, type BatchMessage } from '../src/gate/protocol.js';

type Client = grpc.Client & { Send(b: Partial<BatchMessage>, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null, a: AckMessage) => void): void };

const [port, ms, inFlight, token] = process.argv.slice(2);
const client = new (transportGrpc())(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as Client;
const records = encodeRecords(
  Array.from({ length: 100 }, (_, i) => ({ value: Buffer.from(`${String(i).padStart(6, '0')} ${'x'.repeat(193)}`) })),
  'LZ4',
);
const end = Date.now() + Number(ms);
let acked = 0;
let refused = 0;
let sequence = 0;
const worker = async (): Promise<void> => {
  while (Date.now() < end) {
    const batch = { streamId: 'bench', token, agentId: 'bench-client', sequence: String(sequence++), compression: 'LZ4' as const, records, count: 100 };
    await new Promise<void>((resolve) =>
      client.Send(batch, { deadline: Date.now() + 30_000 }, (error) => {
        if (error === null) acked += 1;
        else refused += 1;
        resolve();
      }),
    );
  }
};
const started = performance.now();
await Promise.all(Array.from({ length: Number(inFlight) }, worker));
process.stdout.write(JSON.stringify({ acked, refused, ms: performance.now() - started }) + '\n');
client.close();
