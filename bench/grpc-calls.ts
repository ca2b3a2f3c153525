/**
 * What one agent -> gateway batch costs by gRPC call shape (issue #14: the agents' scavenges of
 * 10-50 ms at low load). Client and server in one process, a 250-byte batch every 2 ms, each
 * answered at once; each shape in a fresh process, rounds interleaved:
 *   unary   one `Send` call per batch, as the agent sink sends today;
 *   stream  one bidirectional call for the whole run, a message each way per batch.
 * Reports batches, CPU per batch and the young-generation GC pauses (scavenges).
 *
 *   npm run bench -- grpc-calls        node --import tsx bench/grpc-calls.ts [--rounds=3] [--seconds=15]
 */
import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PerformanceObserver, constants } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import type * as grpc from '@grpc/grpc-js';
import protoLoader from '@grpc/proto-loader';
import { loadGrpc } from '../src/gate/protocol.js';
import { topologyFlags } from './topology-flags.js';
import { isMain, median, numberArg, saveResult } from './standalone.js';

const SHAPES = ['unary', 'stream'] as const;
type Shape = (typeof SHAPES)[number];

interface ShapeRun {
  batches: number;
  cpuUsPerBatch: number;
  scavenges: number;
  scavengeP50Ms: number;
  scavengeP90Ms: number;
  scavengeMaxMs: number;
}

const PROTO = `syntax = "proto3";
package bench;
message Batch { string agent_id = 1; string stream_id = 2; uint64 sequence = 3; uint32 count = 4; bytes records = 5; }
message Ack { uint64 sequence = 1; uint32 stored = 2; }
service Calls { rpc Send (Batch) returns (Ack); rpc Pipe (stream Batch) returns (stream Ack); }
`;

const percentile = (sorted: number[], p: number): number => +(sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? NaN).toFixed(2);

async function child(shape: Shape, seconds: number): Promise<ShapeRun> {
  const scavenges: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) scavenges.push(e.duration);
  });
  observer.observe({ entryTypes: ['gc'] });
  const grpcLib = loadGrpc();
  const protoFile = join(mkdtempSync(join(tmpdir(), 'grpc-calls-')), 'calls.proto');
  writeFileSync(protoFile, PROTO);
  const Calls = (grpcLib.loadPackageDefinition(protoLoader.loadSync(protoFile, { longs: String })) as unknown as { bench: { Calls: grpc.ServiceClientConstructor } }).bench.Calls;
  type Batch = { sequence: string; count: number };
  const server = new grpcLib.Server();
  server.addService(Calls.service, {
    Send: (call: grpc.ServerUnaryCall<Batch, unknown>, done: grpc.sendUnaryData<unknown>) => done(null, { sequence: call.request.sequence, stored: call.request.count }),
    Pipe: (call: grpc.ServerDuplexStream<Batch, unknown>) => call.on('data', (b: Batch) => call.write({ sequence: b.sequence, stored: b.count })),
  });
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', grpcLib.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const client = new Calls(`127.0.0.1:${port}`, grpcLib.credentials.createInsecure()) as unknown as grpc.Client & {
    Send(b: object, o: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void): void;
    Pipe(): grpc.ClientDuplexStream<object, { sequence: string }>;
  };
  const records = Buffer.alloc(250, 7);
  const acked = new Map<string, () => void>();
  const pipe = shape === 'stream' ? client.Pipe() : undefined;
  pipe?.on('data', (a: { sequence: string }) => {
    acked.get(a.sequence)?.();
    acked.delete(a.sequence);
  });
  const send = (sequence: string): Promise<void> => {
    const batch = { agent_id: 'agent', stream_id: 'stream', sequence, count: 1, records };
    if (pipe !== undefined) {
      return new Promise((resolve) => {
        acked.set(sequence, resolve);
        pipe.write(batch);
      });
    }
    return new Promise((resolve, reject) => client.Send(batch, { deadline: Date.now() + 5000 }, (e) => (e ? reject(e) : resolve())));
  };
  // Sequences are numbers (uint64); the first 200 batches warm up and are not counted.
  let sequence = 0;
  while (sequence < 200) await send(String(sequence++));
  scavenges.length = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let batches = 0;
  for (; performance.now() - t0 < seconds * 1000; batches++) {
    await send(String(sequence++));
    await new Promise((r) => setTimeout(r, 2));
  }
  const cpu = process.cpuUsage(cpu0);
  observer.disconnect();
  scavenges.sort((a, b) => a - b);
  return {
    batches,
    cpuUsPerBatch: Math.round((cpu.user + cpu.system) / batches),
    scavenges: scavenges.length,
    scavengeP50Ms: percentile(scavenges, 0.5),
    scavengeP90Ms: percentile(scavenges, 0.9),
    scavengeMaxMs: percentile(scavenges, 1),
  };
}

const childFlag = '--grpc-calls-child';

function runShape(shape: Shape, seconds: number): Promise<ShapeRun> {
  return new Promise((resolve, reject) => {
    const proc = fork(fileURLToPath(import.meta.url), [childFlag, shape, String(seconds)], { execArgv: ['--import', 'tsx', ...topologyFlags] });
    let run: ShapeRun | undefined;
    proc.once('message', (m) => (run = m as ShapeRun));
    proc.once('error', reject);
    proc.once('exit', (code) => (code === 0 && run !== undefined ? resolve(run) : reject(new Error(`grpc-calls ${shape} exited with ${code}`))));
  });
}

export async function runGrpcCallsBench(rounds = 3, seconds = 15): Promise<Record<string, unknown>> {
  const runs = new Map<Shape, ShapeRun[]>(SHAPES.map((s) => [s, []]));
  for (let r = 0; r < rounds; r++) {
    for (const shape of r % 2 === 0 ? SHAPES : [...SHAPES].reverse()) {
      const run = await runShape(shape, seconds);
      process.stderr.write(`grpc-calls: round ${r + 1} ${shape}: ${JSON.stringify(run)}\n`);
      runs.get(shape)!.push(run);
    }
  }
  const summary = Object.fromEntries(
    SHAPES.map((s) => {
      const rs = runs.get(s)!;
      return [s, { cpuUsPerBatch: median(rs.map((x) => x.cpuUsPerBatch)), scavengeP50Ms: median(rs.map((x) => x.scavengeP50Ms)), scavengeP90Ms: median(rs.map((x) => x.scavengeP90Ms)), scavengeMaxMs: median(rs.map((x) => x.scavengeMaxMs)), runs: rs }];
    }),
  );
  const result = { rounds, seconds, nodeFlags: topologyFlags, ...summary, date: new Date().toISOString() };
  await saveResult('grpc-calls', result, undefined);
  return result;
}

const at = process.argv.indexOf(childFlag);
if (at >= 0) {
  const run = await child(process.argv[at + 1] as Shape, Number(process.argv[at + 2]));
  process.send?.(run, () => process.exit(0));
} else if (isMain(import.meta.url)) {
  console.log(JSON.stringify(await runGrpcCallsBench(numberArg('rounds') ?? 3, numberArg('seconds') ?? 15), null, 2));
}
