import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { pino } from 'pino';
import { StreamRegistry } from '../src/db/stream-registry.js';
import { transportGrpc, type AckMessage, type BatchMessage } from '../src/gate/protocol.js';
import { Runtime } from '../src/runtime/runtime.js';
import { benchTopology } from './bench-topology.js';

const client = fileURLToPath(new URL('./gateway-client.ts', import.meta.url));
const TOKEN = 'bench-token-0123456789';

export interface GatewayBenchResult {
  roundMs: number;
  rounds: number;
  inFlight: number;
  recordsPerBatch: number;
  recordBytes: number;
  /** Records acked per second, medians over the rounds. */
  bareRecordsPerSec: number;
  gatewayRecordsPerSec: number;
  /** gateway / bare, the median of the rounds' ratios (target >= 0.5). */
  ratio: number;
  /** CPU of the serving process per record acked (the load runs in a process of its own), medians. */
  bareCpuUsPerRecord: number;
  gatewayCpuUsPerRecord: number;
  /** bare / gateway CPU per record: the throughput ratio when the servers, not the client, are the limit. */
  cpuRatio: number;
  refused: number;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

/** A grpc-js server of the Transport service that acks every batch without looking at it. */
async function bareServer(): Promise<{ port: number; stop(): void }> {
  const server = new grpc.Server();
  server.addService(transportGrpc().service, {
    Send: (call: grpc.ServerUnaryCall<BatchMessage, AckMessage>, done: grpc.sendUnaryData<AckMessage>) =>
      done(null, { sequence: call.request.sequence, stored: call.request.count, duplicates: 0 }),
    Health: (_call: unknown, done: grpc.sendUnaryData<{ serving: boolean }>) => done(null, { serving: true }),
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p))),
  );
  return { port, stop: () => server.forceShutdown() };
}

/** The gateway source (its registry holding stream `bench`) into a blackhole sink: the gateway alone. */
async function gateway(): Promise<{ port: number; stop(): Promise<void> }> {
  const topology = await benchTopology(
    ['name: bench-gateway', 'dataDir: ./data', 'sources:', '  gw: { kind: gateway, port: 0, registry: { path: streams.db } }', 'sinks:', '  out: { kind: blackhole, inputs: [gw] }', ''].join('\n'),
  );
  const registry = await StreamRegistry.open({ path: join(topology.baseDir, 'streams.db') });
  await registry.add({ id: 'bench' }, TOKEN);
  await registry.close();
  const runtime = new Runtime(topology, { log: pino({ level: 'silent' }) });
  await runtime.start();
  const port = runtime.nodes.get('gw')?.io[0]?.status?.().port;
  if (typeof port !== 'number') throw new Error('the gateway reports no port');
  return { port, stop: () => runtime.stop() };
}

async function load(port: number, ms: number, inFlight: number): Promise<{ acked: number; refused: number; ms: number; cpuUs: number }> {
  const cpu = process.cpuUsage();
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', client, String(port), String(ms), String(inFlight), TOKEN]);
  const used = process.cpuUsage(cpu);
  return { ...(JSON.parse(stdout) as { acked: number; refused: number; ms: number }), cpuUs: used.user + used.system };
}

/**
 * Gateway alone (gRPC, registry check, decode, queue, runtime, ack at commit) against a bare
 * grpc-js server acking without work, under the same load from a client process: interleaved
 * rounds, medians.
 */
export async function runGatewayBench(rounds = 5, roundMs = 4000, inFlight = 16): Promise<GatewayBenchResult> {
  const bare = await bareServer();
  const gw = await gateway();
  try {
    await load(bare.port, 1000, inFlight);
    await load(gw.port, 1000, inFlight);
    const bareRates: number[] = [];
    const gatewayRates: number[] = [];
    const ratios: number[] = [];
    const bareCpu: number[] = [];
    const gatewayCpu: number[] = [];
    let refused = 0;
    for (let i = 0; i < rounds; i++) {
      const b = await load(bare.port, roundMs, inFlight);
      const g = await load(gw.port, roundMs, inFlight);
      refused += b.refused + g.refused;
      const bRate = (b.acked * 100 * 1000) / b.ms;
      const gRate = (g.acked * 100 * 1000) / g.ms;
      bareRates.push(bRate);
      gatewayRates.push(gRate);
      ratios.push(gRate / bRate);
      bareCpu.push(b.cpuUs / (b.acked * 100));
      gatewayCpu.push(g.cpuUs / (g.acked * 100));
    }
    return {
      roundMs,
      rounds,
      inFlight,
      recordsPerBatch: 100,
      recordBytes: 200,
      bareRecordsPerSec: Math.round(median(bareRates)),
      gatewayRecordsPerSec: Math.round(median(gatewayRates)),
      ratio: +median(ratios).toFixed(2),
      bareCpuUsPerRecord: +median(bareCpu).toFixed(2),
      gatewayCpuUsPerRecord: +median(gatewayCpu).toFixed(2),
      cpuRatio: +(median(bareCpu) / median(gatewayCpu)).toFixed(2),
      refused,
    };
  } finally {
    bare.stop();
    await gw.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await runGatewayBench(), null, 2));
