import * as grpc from '@grpc/grpc-js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decodeRecords,
  encodeRecords,
  MalformedBatchError,
  transportGrpc,
  type AckMessage,
  type BatchMessage,
  type TransportRecord,
} from '../../src/gate/protocol.js';

const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((a) => Buffer.from(a));
const recordArb: fc.Arbitrary<TransportRecord> = fc.record(
  {
    value: bytes(300),
    key: bytes(20).filter((k) => k.length > 0),
    timestampMs: fc.integer({ min: 1, max: 2 ** 45 }),
    headers: fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), bytes(16), { minKeys: 1, maxKeys: 3 }),
  },
  { requiredKeys: ['value'] },
);

describe('transport protocol', () => {
  it('reads back every record a batch was encoded with, compressed or not', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 20 }), fc.constantFrom('NONE' as const, 'LZ4' as const), (records, c) => {
        expect(decodeRecords(encodeRecords(records, c), c, records.length)).toEqual(records);
      }),
    );
  });

  it('refuses a batch whose bytes are not records, or whose count is wrong, with a reason', () => {
    const good = encodeRecords([{ value: Buffer.from('a') }], 'LZ4');
    expect(() => decodeRecords(Buffer.from('not lz4'), 'LZ4', 1)).toThrow(/not a valid LZ4 frame/);
    expect(() => decodeRecords(Buffer.from([0xff, 0xff, 0xff]), 'NONE', 1)).toThrow(MalformedBatchError);
    expect(() => decodeRecords(good, 'LZ4', 2)).toThrow(/says it holds 2 records but holds 1/);
  });

  it('carries a batch from a grpc-js client to a grpc-js server and its ack back', async () => {
    const server = new grpc.Server();
    const seen: BatchMessage[] = [];
    server.addService(transportGrpc().service, {
      Send: (call: grpc.ServerUnaryCall<BatchMessage, AckMessage>, done: grpc.sendUnaryData<AckMessage>) => {
        seen.push(call.request);
        done(null, { sequence: call.request.sequence, stored: call.request.count, duplicates: 0 });
      },
      Health: (_call: unknown, done: grpc.sendUnaryData<{ serving: boolean }>) => done(null, { serving: true }),
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    const client = new (transportGrpc())(`127.0.0.1:${port}`, grpc.credentials.createInsecure()) as unknown as grpc.Client & {
      Send(b: Partial<BatchMessage>, cb: (err: grpc.ServiceError | null, ack: AckMessage) => void): void;
    };
    try {
      const records = [{ value: Buffer.from('hello') }, { value: Buffer.from('world'), key: Buffer.from('k') }];
      const batch = { streamId: 's1', token: 't', agentId: 'a', sequence: '18446744073709551615', compression: 'LZ4' as const, records: encodeRecords(records, 'LZ4'), count: 2 };
      const ack = await new Promise<AckMessage>((resolve, reject) => client.Send(batch, (err, a) => (err ? reject(err) : resolve(a))));
      expect(ack).toEqual({ sequence: '18446744073709551615', stored: 2, duplicates: 0 });
      expect(decodeRecords(seen[0]!.records, seen[0]!.compression, seen[0]!.count)).toEqual(records);
    } finally {
      client.close();
      server.forceShutdown();
    }
  });
});
