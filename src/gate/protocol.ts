import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import type * as protoLoader from '@grpc/proto-loader';
import type protobuf from 'protobufjs';
import { compressFrameSync, decompressFrameSync } from 'lz4-napi';
import { lazyRequire } from '../core/lazy-require.js';
import { lz4Blocks } from '../formats/lz4-frame.js';
import { codeFile } from '../core/code-root.js';

// Loaded when a gateway or an agent first needs them, not by every run (core/lazy-require.ts).
/** @grpc/grpc-js. */
export const loadGrpc = lazyRequire<typeof grpc>('@grpc/grpc-js');
const loadProtoLoader = lazyRequire<typeof protoLoader>('@grpc/proto-loader');
const loadProtobuf = lazyRequire<typeof protobuf>('protobufjs');

/** The transport's service definition, shared by the agent (client) and the gateway (server). */
export const protoPath = fileURLToPath(codeFile('gate/transport.proto'));

/** Wire-level knobs both sides must agree on. */
const loaderOptions = { keepCase: false, longs: String, enums: String, defaults: true, bytes: Buffer } as const;

/** `Batch` as @grpc/grpc-js hands it over (uint64 as a decimal string, bytes as Buffer). */
export interface BatchMessage {
  streamId: string;
  token: string;
  agentId: string;
  sequence: string;
  compression: 'NONE' | 'LZ4';
  records: Buffer;
  count: number;
}

export interface AckMessage {
  sequence: string;
  stored: number;
  duplicates: number;
}

export interface HealthReplyMessage {
  serving: boolean;
}

/** One record inside a batch. An empty key means none; timestamp 0 means unknown. */
export interface TransportRecord {
  value: Buffer;
  key?: Buffer;
  timestampMs?: number;
  headers?: Record<string, Buffer>;
}

let grpcTransport: grpc.ServiceClientConstructor | undefined;

/**
 * The transport's generated gRPC client constructor (`new (transportGrpc())(address, credentials)`);
 * its `service` is the service definition a server adds. Built from transport.proto on first use.
 */
export function transportGrpc(): grpc.ServiceClientConstructor {
  if (grpcTransport === undefined) {
    const loaded = loadGrpc().loadPackageDefinition(loadProtoLoader().loadSync(protoPath, loaderOptions)) as unknown as {
      millrace: { transport: { v1: { Transport: grpc.ServiceClientConstructor } } };
    };
    grpcTransport = loaded.millrace.transport.v1.Transport;
  }
  return grpcTransport;
}

let recordsMessage: protobuf.Type | undefined;

/** The `Records` message type, read from transport.proto on first use. */
function recordsType(): protobuf.Type {
  return (recordsMessage ??= loadProtobuf().loadSync(protoPath).lookupType('millrace.transport.v1.Records'));
}

/** Thrown by {@link decodeRecords} for a batch whose records cannot be read. */
export class MalformedBatchError extends Error {}

/** A batch's `records` field: the records as a `Records` message, compressed. */
export function encodeRecords(records: readonly TransportRecord[], compression: BatchMessage['compression']): Buffer {
  const plain = Buffer.from(recordsType().encode({ records: records.map(toWire) }).finish());
  return compression === 'LZ4' ? compressFrameSync(plain) : plain;
}

/** Inflates an LZ4 frame block by block, refusing it once it grows past `maxBytes` (a small frame may inflate a thousandfold). */
function inflateAtMost(bytes: Buffer, maxBytes: number): Buffer {
  // Each block is a fresh buffer (or a view of `bytes`): kept as it is, copied only to join several.
  const blocks: Uint8Array[] = [];
  let total = 0;
  for (const block of lz4Blocks(bytes)) {
    total += block.length;
    if (total > maxBytes) throw new MalformedBatchError(`records inflate past ${maxBytes} bytes`);
    blocks.push(block);
  }
  return blocks.length === 1 ? asBuffer(blocks[0]!) : Buffer.concat(blocks, total);
}

/**
 * Reads a batch's records back; `count` is what the batch claims it holds. With `maxBytes`, LZ4
 * records that inflate past it are refused before they take more memory.
 */
export function decodeRecords(bytes: Buffer, compression: BatchMessage['compression'], count: number, maxBytes?: number): TransportRecord[] {
  let plain: Buffer;
  try {
    plain = compression !== 'LZ4' ? bytes : maxBytes === undefined ? decompressFrameSync(bytes) : inflateAtMost(bytes, maxBytes);
  } catch (err) {
    if (err instanceof MalformedBatchError) throw err;
    throw new MalformedBatchError(`records are not a valid LZ4 frame: ${(err as Error).message}`);
  }
  let message: protobuf.Message;
  try {
    message = recordsType().decode(plain);
  } catch (err) {
    throw new MalformedBatchError(`records are not a valid Records message: ${(err as Error).message}`);
  }
  const wire = (message as unknown as { records?: WireRecord[] }).records ?? [];
  if (wire.length !== count) throw new MalformedBatchError(`batch says it holds ${count} records but holds ${wire.length}`);
  return wire.map(fromWire);
}

interface WireRecord {
  value?: Uint8Array;
  key?: Uint8Array;
  timestampMs?: number | { toNumber(): number };
  headers?: Record<string, Uint8Array>;
}

function toWire(r: TransportRecord): WireRecord {
  return { value: r.value, key: r.key, timestampMs: r.timestampMs, headers: r.headers };
}

function asBuffer(b: Uint8Array): Buffer {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength);
}

function fromWire(w: WireRecord): TransportRecord {
  const r: TransportRecord = { value: w.value ? asBuffer(w.value) : Buffer.alloc(0) };
  if (w.key && w.key.length > 0) r.key = asBuffer(w.key);
  const ts = typeof w.timestampMs === 'object' ? w.timestampMs.toNumber() : (w.timestampMs ?? 0);
  if (ts > 0) r.timestampMs = ts;
  if (w.headers && Object.keys(w.headers).length > 0) {
    r.headers = Object.fromEntries(Object.entries(w.headers).map(([k, v]) => [k, asBuffer(v)]));
  }
  return r;
}
