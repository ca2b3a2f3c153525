/**
 * Mirroring one topic between two real Kafka clusters: millrace (sender topology near the source,
 * receiver topology near the destination, the link between them) against Kafka's MirrorMaker 2
 * (bench/mirror-maker.ts), side by side, in interleaved rounds, medians.
 *
 *   npm run bench -- mirror            (node --import tsx bench/mirror.ts --records 100000 --rounds 3 --probes 30 --outage-s 10)
 *
 * Data: one topic of 6 partitions of 1 KiB JSON-like log records, written once with Kafka's own
 * producer (LZ4, as a production producer would). Each run copies all of it into a fresh
 * destination topic and is verified by the destination's record count. Conditions:
 * - loopback: everything on 127.0.0.1;
 * - wan: a toxiproxy with 25 ms latency each way (50 ms RTT) and 100 Mbit/s each way on the link
 *   that crosses data centres as each is deployed: for millrace the sender -> receiver link, for
 *   MM2 (deployed next to the destination) its connections to the source cluster.
 * The source cluster advertises the proxy's address, so every client of it (both systems) goes
 * through the proxy; it carries toxics only in MM2's WAN runs. The probe producer alone connects to
 * the source broker directly, so a probe's clock starts when the broker acknowledged it whatever
 * the proxy does.
 * millrace's link is compressed with LZ4 on loopback and Brotli (quality 4) on the WAN, as a user
 * would set it up for each (--loopback-codec, --wan-codec).
 * Measured per run: copy time (first record in the destination -> all there) and wall time (start
 * -> all there), bytes on the wire of the crossing link (bench/mirror-wire.ts), then end-to-end
 * latency of single probe records (acked by the source -> counted in the destination). Once per
 * system: time to resume after the crossing link is cut for `outage-s` and comes back.
 * Own services on ports 27100-27130. Writes bench/results/mirror.json.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import kafkajs from 'kafkajs';
import { ensureKafka, KAFKA_SH } from '../test/infra/kafka/broker.js';
import { Toxiproxy, toxiproxyBinary } from '../test/infra/toxiproxy/toxiproxy.js';
import { startMirrorMaker, stopChild } from './mirror-maker.js';
import { compiledCli } from './compiled-cli.js';
import { WireCounter } from './mirror-wire.js';
import { arg, isMain, median, numberArg, saveResult } from './standalone.js';

// Below the ephemeral port range (see test/infra/kafka/README.md).
const PORTS = { source: 27100, destination: 27110, toxiproxy: 27120, sourceProxy: 27121, linkProxy: 27122, receiver: 27130 };
const TOPIC = 'mirror-bench';
const PARTITIONS = 6;
const RECORD_BYTES = 1024;
/** 100 Mbit/s in toxiproxy's unit (KB/s). */
const WAN_KBPS = 12_500;
const WAN_ONE_WAY_MS = 25;

type System = 'millrace' | 'mm2';
type Condition = 'loopback' | 'wan';
type LinkCodec = 'lz4' | 'brotli';

interface Run {
  system: System;
  condition: Condition;
  /** millrace's link codec in this run. */
  codec?: LinkCodec;
  records: number;
  duplicates: number;
  copyS: number;
  wallS: number;
  mbPerS: number;
  wireBytes: number;
  latencyMs: { p50: number; p99: number };
}

interface Mirror {
  destinationTopic: string;
  stop(): Promise<void>;
}

export interface MirrorBenchOptions {
  records: number;
  rounds: number;
  probes: number;
  outageS: number;
  /** millrace's link codec per condition: what a user would pick for each (LZ4 where bandwidth is plenty, Brotli on the WAN). */
  codecs: Record<Condition, LinkCodec>;
}

/** `count` 1 KiB log-like JSON lines (deterministic), for ProducerPerformance's payload file. */
function payloadLines(count: number): string {
  // mulberry32: a linear congruential generator's low bits repeat within a few KiB, which a
  // compressor with a large window (Brotli's 4 MiB) would find and shrink far below real logs.
  let seed = 7;
  const rnd = (n: number): number => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % n;
  };
  const services = ['checkout', 'cart', 'search', 'auth', 'inventory', 'payments'];
  const levels = ['INFO', 'INFO', 'INFO', 'WARN', 'ERROR', 'DEBUG'];
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    let line = `{"ts":"2026-12-06T06:${String(rnd(60)).padStart(2, '0')}:${String(rnd(60)).padStart(2, '0')}.${rnd(1000)}Z","level":"${levels[rnd(6)]}","service":"${services[rnd(6)]}","host":"node-${rnd(40)}.dc1","trace":"${rnd(1e9).toString(16)}${rnd(1e9).toString(16)}","user":${rnd(1e6)},"latency_ms":${rnd(3000)},"path":"/api/v2/${services[rnd(6)]}/${rnd(1e5)}","msg":"`;
    while (line.length < RECORD_BYTES - 2) line += `${['request served', 'cache miss', 'retrying upstream', 'slow query', 'token refreshed'][rnd(5)]} id=${rnd(1e7)}; `;
    lines.push(`${line.slice(0, RECORD_BYTES - 2)}"}`);
  }
  return lines.join('\n') + '\n';
}

function spawnLogged(command: string, args: string[], what: string): ChildProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-8000)));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal === null) process.stderr.write(`${what} exited with ${code}: ${stderr}\n`);
  });
  return child;
}

/** The millrace pair: a receiver topology (link source -> kafka sink) and a sender topology (kafka source -> link sink). */
function startMillrace(dir: string, tag: string, linkPort: number, codec: LinkCodec): Mirror {
  const destinationTopic = `ml-${tag}`;
  const receiver = path.join(dir, `receiver-${tag}.yaml`);
  writeFileSync(
    receiver,
    `name: receiver\ndataDir: ${dir}/receiver-${tag}\ntransport: { type: kafka, brokers: [127.0.0.1:${PORTS.destination}] }\n` +
      `sources:\n  in: { kind: link, link: bench, host: 127.0.0.1, port: ${PORTS.receiver} }\n` +
      `sinks:\n  out: { kind: kafka, inputs: [in], topic: ${destinationTopic}, encoding: raw, streamHeader: false, compression: lz4 }\n`,
  );
  const sender = path.join(dir, `sender-${tag}.yaml`);
  writeFileSync(
    sender,
    `name: sender\ndataDir: ${dir}/sender-${tag}\ntransport: { type: kafka, brokers: [127.0.0.1:${PORTS.sourceProxy}] }\n` +
      `sources:\n  in: { kind: kafka, topics: [${TOPIC}], group: ml-${tag}, start: earliest, encoding: raw }\n` +
      `sinks:\n  out: { kind: link, inputs: [in], link: bench, host: 127.0.0.1, port: ${linkPort}, compression: { codec: ${codec} } }\n`,
  );
  const bin = compiledCli();
  const children = [spawnLogged('node', [bin, 'run', receiver], 'millrace receiver'), spawnLogged('node', [bin, 'run', sender], 'millrace sender')];
  return { destinationTopic, stop: async () => void (await Promise.all(children.map(stopChild))) };
}

function percentile(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

export async function runMirrorBench(opts: MirrorBenchOptions): Promise<Record<string, unknown>> {
  const binary = toxiproxyBinary();
  if (binary === undefined) throw new Error('the mirror benchmark needs toxiproxy: see test/infra/toxiproxy/README.md');
  // Built before any run is timed (the first call builds dist/).
  compiledCli();
  // Own clusters on this bench's ports, whatever MILLRACE_KAFKA_BROKERS says.
  delete process.env['MILLRACE_KAFKA_BROKERS'];
  const proxy = await Toxiproxy.start(binary, PORTS.toxiproxy);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mirror-bench-'));
  const stops: (() => Promise<unknown>)[] = [() => proxy.stop()];
  try {
    await proxy.proxy('source', `127.0.0.1:${PORTS.source}`, PORTS.sourceProxy);
    await proxy.proxy('link', `127.0.0.1:${PORTS.receiver}`, PORTS.linkProxy);
    const [source, destination] = await Promise.all([
      ensureKafka('mirror-bench-src', PORTS.source, { advertise: `127.0.0.1:${PORTS.sourceProxy}` }),
      ensureKafka('mirror-bench-dst', PORTS.destination),
    ]);
    stops.unshift(() => source.stop(), () => destination.stop());
    const quiet = { logLevel: kafkajs.logLevel.NOTHING };
    const srcClient = new kafkajs.Kafka({ brokers: source.brokers, ...quiet });
    const dstAdmin = new kafkajs.Kafka({ brokers: destination.brokers, ...quiet }).admin();
    const srcAdmin = srcClient.admin();
    // Metadata hands out the proxy's address; the probe goes to the broker's own port instead.
    const direct = new kafkajs.Kafka({
      brokers: [`127.0.0.1:${PORTS.source}`],
      socketFactory: ({ host, port, onConnect }) => net.connect({ host, port: port === PORTS.sourceProxy ? PORTS.source : port }, onConnect),
      ...quiet,
    });
    const probe = direct.producer();
    await Promise.all([dstAdmin.connect(), srcAdmin.connect(), probe.connect()]);
    stops.unshift(() => Promise.all([dstAdmin.disconnect(), srcAdmin.disconnect(), probe.disconnect()]));
    const count = async (admin: kafkajs.Admin, topic: string): Promise<number> => {
      try {
        return (await admin.fetchTopicOffsets(topic)).reduce((n, p) => n + Number(p.high), 0);
      } catch {
        return 0;
      }
    };

    await srcAdmin.createTopics({ topics: [{ topic: TOPIC, numPartitions: PARTITIONS }], waitForLeaders: true });
    const payload = path.join(dir, 'payload.txt');
    writeFileSync(payload, payloadLines(10_000));
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const load = spawnLogged(KAFKA_SH, ['perf-producer', '--topic', TOPIC, '--num-records', String(opts.records), '--payload-file', payload, '--throughput', '-1', '--producer-props', `bootstrap.servers=127.0.0.1:${PORTS.sourceProxy}`, 'compression.type=lz4', 'linger.ms=10', 'batch.size=65536', 'acks=all'], 'ProducerPerformance');
      load.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`loading ${opts.records} records failed (exit ${code})`))));
    });
    const loaded = await count(srcAdmin, TOPIC);
    process.stderr.write(`mirror: loaded ${loaded} records of ${RECORD_BYTES} B in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);

    const start = (system: System, tag: string, condition: Condition): Mirror => {
      if (system === 'millrace') return startMillrace(dir, tag, PORTS.linkProxy, opts.codecs[condition]);
      const mm2 = startMirrorMaker({ dir, alias: tag.replace(/[^a-z0-9]/g, ''), source: `127.0.0.1:${PORTS.sourceProxy}`, target: `127.0.0.1:${PORTS.destination}`, topic: TOPIC });
      return { destinationTopic: mm2.targetTopic, stop: mm2.stop };
    };
    const crossing = (system: System): string => (system === 'millrace' ? 'link' : 'source');
    const crossingPort = (system: System): number => (system === 'millrace' ? PORTS.linkProxy : PORTS.sourceProxy);

    /** Waits until the destination holds `n` records (or more); resolves with the time of the first and of the last arrival. */
    const arrival = async (topic: string, n: number, timeoutMs: number): Promise<{ first: number; all: number; got: number }> => {
      const deadline = performance.now() + timeoutMs;
      let first = NaN;
      for (;;) {
        const got = await count(dstAdmin, topic);
        const now = performance.now();
        if (got > 0 && Number.isNaN(first)) first = now;
        if (got >= n) return { first, all: now, got };
        if (now > deadline) throw new Error(`${topic}: ${got} of ${n} records arrived within ${timeoutMs / 1000} s`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };

    const latencies = async (topic: string): Promise<number[]> => {
      const ms: number[] = [];
      for (let i = 0; i < opts.probes; i++) {
        const before = await count(dstAdmin, topic);
        await probe.send({ topic: TOPIC, acks: -1, messages: [{ value: `probe ${i}` }] });
        const sent = performance.now();
        while ((await count(dstAdmin, topic)) <= before) {
          if (performance.now() - sent > 60_000) throw new Error(`${topic}: probe ${i} did not arrive within 60 s`);
          await new Promise((r) => setTimeout(r, 2));
        }
        ms.push(performance.now() - sent);
      }
      return ms;
    };

    const measure = async (system: System, condition: Condition, tag: string): Promise<Run> => {
      const expected = await count(srcAdmin, TOPIC);
      if (condition === 'wan') {
        for (const stream of ['upstream', 'downstream'] as const) {
          await proxy.addToxic(crossing(system), { name: `latency-${stream}`, type: 'latency', stream, attributes: { latency: WAN_ONE_WAY_MS, jitter: 0 } });
          await proxy.addToxic(crossing(system), { name: `bandwidth-${stream}`, type: 'bandwidth', stream, attributes: { rate: WAN_KBPS } });
        }
      }
      const wire = new WireCounter(crossingPort(system));
      wire.start();
      const began = performance.now();
      const mirror = start(system, tag, condition);
      try {
        const copied = await arrival(mirror.destinationTopic, expected, 900_000);
        const wireBytes = await wire.stop();
        const probes = await latencies(mirror.destinationTopic);
        const total = await count(dstAdmin, mirror.destinationTopic);
        const copyS = (copied.all - copied.first) / 1000;
        return {
          system,
          condition,
          ...(system === 'millrace' ? { codec: opts.codecs[condition] } : {}),
          records: expected,
          duplicates: total - expected - opts.probes,
          copyS,
          wallS: (copied.all - began) / 1000,
          mbPerS: (expected * RECORD_BYTES) / 1e6 / copyS,
          wireBytes,
          latencyMs: { p50: percentile(probes, 50), p99: percentile(probes, 99) },
        };
      } finally {
        await mirror.stop();
        await wire.stop().catch(() => 0);
        if (condition === 'wan')
          for (const stream of ['upstream', 'downstream'])
            for (const toxic of ['latency', 'bandwidth']) await proxy.removeToxic(crossing(system), `${toxic}-${stream}`);
      }
    };

    /** Cuts the crossing link at a third of the copy; resolves with the seconds from its return to the next record arriving. */
    const resume = async (system: System, tag: string): Promise<{ resumeS: number; outageS: number }> => {
      const expected = await count(srcAdmin, TOPIC);
      const mirror = start(system, tag, 'loopback');
      try {
        await arrival(mirror.destinationTopic, Math.floor(expected / 3), 900_000);
        await proxy.enable(crossing(system), false);
        const cut = performance.now();
        // Down for outageS, and until what crossed before the cut has all landed (2 s without change).
        let last = await count(dstAdmin, mirror.destinationTopic);
        let steadySince = performance.now();
        while (performance.now() - cut < opts.outageS * 1000 || performance.now() - steadySince < 2000) {
          await new Promise((r) => setTimeout(r, 100));
          const now = await count(dstAdmin, mirror.destinationTopic);
          if (now !== last) [last, steadySince] = [now, performance.now()];
        }
        if (last >= expected) throw new Error(`${system}: everything had arrived before the link was cut; give more --records`);
        await proxy.enable(crossing(system), true);
        const back = performance.now();
        const resumed = await arrival(mirror.destinationTopic, last + 1, 300_000);
        const all = await arrival(mirror.destinationTopic, expected, 900_000);
        if (all.got !== expected) process.stderr.write(`mirror: ${system} outage run: ${all.got - expected} duplicates\n`);
        return { resumeS: (resumed.all - back) / 1000, outageS: (back - cut) / 1000 };
      } finally {
        await proxy.enable(crossing(system), true);
        await mirror.stop();
      }
    };

    const runs: Run[] = [];
    const stamp = Date.now().toString(36);
    for (let round = 0; round < opts.rounds; round++) {
      for (const condition of ['loopback', 'wan'] as const) {
        const order: System[] = round % 2 === 0 ? ['millrace', 'mm2'] : ['mm2', 'millrace'];
        for (const system of order) {
          const run = await measure(system, condition, `r${stamp}x${round}${condition[0]}${system === 'mm2' ? 'm' : 'l'}`);
          process.stderr.write(`mirror: round ${round} ${condition} ${system}${run.codec === undefined ? '' : ` (${run.codec})`}: ${run.mbPerS.toFixed(1)} MB/s, copy ${run.copyS.toFixed(1)} s, wall ${run.wallS.toFixed(1)} s, wire ${(run.wireBytes / 1e6).toFixed(1)} MB, latency p50 ${run.latencyMs.p50.toFixed(0)} ms p99 ${run.latencyMs.p99.toFixed(0)} ms, duplicates ${run.duplicates}\n`);
          runs.push(run);
        }
      }
    }
    const outages: Record<System, { resumeS: number; outageS: number }> = {
      millrace: await resume('millrace', `o${stamp}l`),
      mm2: await resume('mm2', `o${stamp}m`),
    };

    const of = (system: System, condition: Condition): Run[] => runs.filter((r) => r.system === system && r.condition === condition);
    const summary = (system: System, condition: Condition): Record<string, number> => {
      const rs = of(system, condition);
      return {
        mbPerS: median(rs.map((r) => r.mbPerS)),
        copyS: median(rs.map((r) => r.copyS)),
        wallS: median(rs.map((r) => r.wallS)),
        wireMB: median(rs.map((r) => r.wireBytes / 1e6)),
        latencyP50Ms: median(rs.map((r) => r.latencyMs.p50)),
        latencyP99Ms: median(rs.map((r) => r.latencyMs.p99)),
        duplicates: Math.max(...rs.map((r) => r.duplicates)),
      };
    };
    const conditions = Object.fromEntries(
      (['loopback', 'wan'] as const).map((c) => {
        const ml = summary('millrace', c);
        const mm = summary('mm2', c);
        return [c, { millrace: ml, mm2: mm, throughputRatio: (ml['mbPerS'] as number) / (mm['mbPerS'] as number), wireRatio: (ml['wireMB'] as number) / (mm['wireMB'] as number) }];
      }),
    );
    return {
      records: loaded,
      recordBytes: RECORD_BYTES,
      dataMB: (loaded * RECORD_BYTES) / 1e6,
      partitions: PARTITIONS,
      rounds: opts.rounds,
      millraceCodecs: opts.codecs,
      wan: { oneWayLatencyMs: WAN_ONE_WAY_MS, rttMs: 2 * WAN_ONE_WAY_MS, mbitPerS: (WAN_KBPS * 1000 * 8) / 1e6 },
      targets: { loopbackRatio: 1, wanRatio: 3, wireRatio: 0.6 },
      ...conditions,
      resumeAfterOutage: outages,
      runs,
      loadAverage: os.loadavg(),
    };
  } finally {
    for (const stop of stops) await stop().catch((err: unknown) => process.stderr.write(`mirror: cleanup: ${String(err)}\n`));
  }
}

export function mirrorOptionsFromArgs(): MirrorBenchOptions {
  const codec = (name: string, fallback: LinkCodec): LinkCodec => {
    const v = arg(name) ?? fallback;
    if (v !== 'lz4' && v !== 'brotli') throw new Error(`--${name} must be lz4 or brotli, not ${v}`);
    return v;
  };
  return {
    records: numberArg('records') ?? 100_000,
    rounds: numberArg('rounds') ?? 3,
    probes: numberArg('probes') ?? 30,
    outageS: numberArg('outage-s') ?? 10,
    codecs: { loopback: codec('loopback-codec', 'lz4'), wan: codec('wan-codec', 'brotli') },
  };
}

if (isMain(import.meta.url)) {
  const result = await runMirrorBench(mirrorOptionsFromArgs());
  console.log(JSON.stringify(result, (k, v) => (k === 'runs' ? undefined : v), 2));
  await saveResult('mirror', { ...result, measuredAt: new Date().toISOString(), node: process.version }, undefined);
}
