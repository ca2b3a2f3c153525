import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import pino from 'pino';
import type { SinkIO } from '../src/actors/io.js';
import { SharedResources } from '../src/core/shared-resources.js';
import { encodeRecords, transportGrpc, type AckMessage, type BatchMessage, type TransportRecord } from '../src/gate/protocol.js';
import { agentSinkKind } from '../src/kinds/agent/sink.js';
import { FileCheckpoint } from '../src/runtime/checkpoint.js';
import { Ack } from '../src/streams/ack.js';
import { makeBatch } from '../src/streams/batch.js';
import type { LogRecord } from '../src/streams/record.js';

/** Agent sink against a bare client doing the same essential work, over the same ack-only server. */
export interface AgentBenchResult {
  streams: number;
  recordBytes: number;
  recordsPerRound: number;
  rounds: number;
  /** A bare @grpc/grpc-js client: encode + LZ4 + Send per stream batch, streams side by side. */
  bareClientRecordsPerSec: number;
  /** The agent sink's write() of the same input (batching per stream, sequences, acks). */
  agentRecordsPerSec: number;
  /** agent / bare client per back-to-back pair, median; target >= 0.8. */
  ratio: number;
  /** Gateway down: write() into the fsynced spill queue. */
  spillRecordsPerSec: number;
  /** Gateway back: replay of the spilled round until all acked. */
  replayRecordsPerSec: number;
}

const STREAMS = 10;
const RECORD_BYTES = 200;
const PER_STREAM_BATCH = 500;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** A Transport server that acks every batch without reading it: the ceiling of any sender. */
async function ackingServer(): Promise<{ address: string; stored: () => number; serving: (on: boolean) => void; stop(): void }> {
  const server = new grpc.Server();
  let stored = 0;
  let serving = true;
  server.addService(transportGrpc().service, {
    Send: (call: grpc.ServerUnaryCall<BatchMessage, AckMessage>, done: grpc.sendUnaryData<AckMessage>) => {
      if (!serving) return done({ code: grpc.status.UNAVAILABLE, details: 'bench: down' });
      stored += call.request.count;
      done(null, { sequence: call.request.sequence, stored: call.request.count, duplicates: 0 });
    },
    Health: (_c: unknown, done: grpc.sendUnaryData<{ serving: boolean }>) => done(null, { serving }),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { address: `127.0.0.1:${port}`, stored: () => stored, serving: (on) => (serving = on), stop: () => server.forceShutdown() };
}

/** One input batch: PER_STREAM_BATCH records of each stream, interleaved as a host's logs would be. */
function inputBatch(round: number, b: number): LogRecord[] {
  const out: LogRecord[] = [];
  const pad = 'x'.repeat(RECORD_BYTES);
  for (let i = 0; i < PER_STREAM_BATCH; i++) {
    for (let s = 0; s < STREAMS; s++) {
      const head = `r${round} b${b} i${i} s${s} `;
      out.push({ value: head + pad.slice(head.length), stream: `stream-${s}`, ts: 1_700_000_000_000 + i });
    }
  }
  return out;
}

type BareClient = grpc.Client & { Send(b: BatchMessage, cb: (err: grpc.ServiceError | null) => void): void };

const sequences = new Map<string, number>();

async function bareClient(client: BareClient, batches: LogRecord[][]): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for (const input of batches) {
    const byStream = new Map<string, TransportRecord[]>();
    for (const r of input) {
      const list = byStream.get(r.stream as string) ?? [];
      list.push({ value: Buffer.from(r.value as string), timestampMs: r.ts });
      byStream.set(r.stream as string, list);
    }
    await Promise.all(
      [...byStream].map(([streamId, records]) => {
        const sequence = (sequences.get(streamId) ?? 0) + 1;
        sequences.set(streamId, sequence);
        const batch: BatchMessage = { streamId, token: '', agentId: 'bench', sequence: String(sequence), compression: 'LZ4', records: encodeRecords(records, 'LZ4'), count: records.length };
        return new Promise<void>((resolve, reject) => client.Send(batch, (err) => (err ? reject(err) : resolve())));
      }),
    );
    n += input.length;
  }
  return n / ((performance.now() - t0) / 1000);
}

async function agentSink(address: string, dir: string): Promise<SinkIO> {
  const config = agentSinkKind.config.parse({ gateways: [address], health: { intervalMs: 100, timeoutMs: 500 }, backoff: { initialMs: 5, maxMs: 50 } });
  const ctx = {
    id: 'agent', replica: 0, replicas: 1, log: pino({ level: 'silent' }), baseDir: dir, stateDir: dir,
    checkpoint: new FileCheckpoint(join(dir, 'cp.json'), 200), signal: new AbortController().signal,
    transport: { type: 'embedded' as const, dir: join(dir, 'log') }, consumers: [], shared: new SharedResources().acquire,
  };
  const io = (await agentSinkKind.create(config, ctx)) as SinkIO;
  await io.connect();
  return io;
}

async function writeAll(io: SinkIO, batches: LogRecord[][]): Promise<number> {
  const t0 = performance.now();
  let n = 0;
  for (const input of batches) {
    await io.write(makeBatch(input, Ack.none(), 'bench'));
    n += input.length;
  }
  return n / ((performance.now() - t0) / 1000);
}

/** Interleaved rounds of bare client and agent sink, then one spill-and-replay round. */
export async function runAgentBench(rounds = 11, batchesPerRound = 40): Promise<AgentBenchResult> {
  const server = await ackingServer();
  const dir = mkdtempSync(join(tmpdir(), 'millrace-agent-bench-'));
  const io = await agentSink(server.address, dir);
  const client = new (transportGrpc())(server.address, grpc.credentials.createInsecure()) as unknown as BareClient;
  const bare: number[] = [];
  const agent: number[] = [];
  try {
    const warm = Array.from({ length: 4 }, (_, b) => inputBatch(-1, b));
    await bareClient(client, warm);
    await writeAll(io, warm);
    for (let round = 0; round < rounds; round++) {
      const batches = Array.from({ length: batchesPerRound }, (_, b) => inputBatch(round, b));
      // Alternating which goes first, so neither always runs on a warmer heap.
      if (round % 2 === 0) {
        bare.push(await bareClient(client, batches));
        agent.push(await writeAll(io, batches));
      } else {
        agent.push(await writeAll(io, batches));
        bare.push(await bareClient(client, batches));
      }
    }
    const status = io.status?.() as { spilledBatches: number };
    if (status.spilledBatches !== 0) throw new Error(`bench: ${status.spilledBatches} batches spilled while the server was up`);

    server.serving(false);
    const spilled = Array.from({ length: batchesPerRound }, (_, b) => inputBatch(rounds, b));
    await new Promise((r) => setTimeout(r, 300)); // health checks see it down
    const spillRate = await writeAll(io, spilled);
    const before = server.stored();
    const t0 = performance.now();
    server.serving(true);
    const total = spilled.length * spilled[0]!.length;
    while (server.stored() - before < total) await new Promise((r) => setTimeout(r, 5));
    const replayRate = total / ((performance.now() - t0) / 1000);
    const b = median(bare);
    const a = median(agent);
    return {
      streams: STREAMS,
      recordBytes: RECORD_BYTES,
      recordsPerRound: batchesPerRound * STREAMS * PER_STREAM_BATCH,
      rounds,
      bareClientRecordsPerSec: Math.round(b),
      agentRecordsPerSec: Math.round(a),
      ratio: +median(agent.map((x, i) => x / (bare[i] as number))).toFixed(2),
      spillRecordsPerSec: Math.round(spillRate),
      replayRecordsPerSec: Math.round(replayRate),
    };
  } finally {
    client.close();
    await io.close();
    server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await runAgentBench(), null, 2));
